# 창에 보이는 엔진 오류 문장. 코드는 바뀌지 않습니다.

error-no-client-secret = 로그인하기 전에 Google OAuth 클라이언트 파일(client_secret_….json, "데스크톱 앱" 클라이언트)을 가져오세요.
error-sign-in-failed = 로그인 실패: { $reason }
error-sign-in-cancelled = 로그인이 취소되었습니다.
error-needs-sign-in = Google 로그인이 만료되었거나 없습니다. Google로 다시 로그인하세요.
error-no-callback = 캘린더를 지켜보기 전에 설정에서 공개 콜백 URL(터널의 https 주소)을 입력하세요.
error-port-in-use = 포트 { $port }을(를) 다른 프로그램이 쓰고 있습니다. 설정에서 다른 포트를 고르고 터널이 그 포트를 가리키게 하세요.
error-sync-stopped = 캘린더를 더 이상 지켜보지 않거나 CalWatch가 종료 중이어서 동기화가 끝나기 전에 멈췄습니다.

## Google, 연결과 응답
error-google-unreachable = Google에 연결할 수 없습니다: { $reason }.
error-google-offline = Google에 연결할 수 없습니다({ $reason }). CalWatch가 다시 시도합니다.
error-google-server = Google에 서버 오류가 났습니다(HTTP { $status }). CalWatch가 나중에 다시 시도합니다.
error-google-rate-limited = { $attempts }번 시도한 뒤에도 Google의 요청 한도를 넘었습니다({ $reason }). CalWatch가 나중에 다시 시도합니다.
error-google-not-found = Google이 이 캘린더나 채널을 모릅니다(404).

## 콜백 URL
error-callback-not-https = 콜백 URL은 https://로 시작해야 합니다 — Google은 HTTPS로만 보냅니다. 터널(Tailscale Funnel, ngrok, cloudflared)이 주는 https 주소를 쓰세요.
error-callback-not-url = “{ $url }”은(는) 완전한 웹 주소가 아닙니다({ $reason }). 터널이 주는 https:// 주소 전체를 입력하세요. 예: https://my-laptop.example.ts.net/notifications.
error-callback-no-host = 콜백 URL “{ $url }”에 호스트 이름이 없습니다. 터널이 주는 주소 전체를 입력하세요. 예: https://my-laptop.example.ts.net/notifications.

## OAuth 클라이언트 파일
error-secret-unreadable = CalWatch가 { $path }을(를) 읽지 못했습니다: { $reason }. 파일이 있고 읽을 수 있는지 확인하거나, Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 클라이언트 JSON을 다시 내려받으세요.
error-secret-too-large = { $path }은(는) OAuth 클라이언트 파일보다 커서(최대 { $bytes }바이트) CalWatch가 읽지 않았습니다. Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 “데스크톱 앱” 유형의 OAuth 클라이언트 ID를 만들어 JSON을 내려받은 뒤 그 파일을 고르세요.
error-secret-not-a-file = { $path }은(는) 보통 파일이 아니어서(폴더, 장치 또는 파이프) CalWatch가 읽지 않았습니다. Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 “데스크톱 앱” 유형의 OAuth 클라이언트 ID를 만들어 JSON을 내려받은 뒤 그 파일을 고르세요.
error-secret-not-json = 이 파일은 JSON이 아니어서 Google OAuth 클라이언트 파일이 아닙니다. Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 “데스크톱 앱” 유형의 OAuth 클라이언트 ID를 만들어 JSON을 내려받은 뒤(클라이언트 옆의 다운로드 버튼) 그 파일을 고르세요.
error-secret-web-client = 이것은 “웹 애플리케이션” OAuth 클라이언트입니다. CalWatch는 데스크톱 앱으로 로그인하므로 “데스크톱 앱” 클라이언트가 필요합니다. Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 “데스크톱 앱” 유형의 OAuth 클라이언트 ID를 만들어 JSON을 내려받으세요.
error-secret-not-oauth-client = 이 JSON 파일은 OAuth 클라이언트가 아닙니다(“installed” 부분이 없습니다. 서비스 계정 키나 다른 다운로드일 수 있습니다). Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 “데스크톱 앱” 유형의 OAuth 클라이언트 ID를 만들어 JSON을 내려받으세요.
error-secret-missing-field = OAuth 클라이언트 파일에 “{ $field }”이(가) 없어 쓸 수 없습니다. 편집되었거나 잘렸을 수 있습니다. Google Cloud 콘솔 → API 및 서비스 → 사용자 인증 정보에서 데스크톱 앱 클라이언트의 JSON을 다시 내려받으세요.

## 키링과 로그인
error-keyring-unavailable = 시스템 키링이 잠겨 있거나 쓸 수 없습니다: { $reason }. 키링의 잠금을 풀거나(GNOME 키링, KWallet 같은 키링을 시작하고) 다시 시도하세요. CalWatch는 Google 로그인을 그곳에만 보관하며 파일에는 절대 두지 않습니다.
error-sign-in-access-denied = 브라우저에서 권한을 허용하지 않았습니다(access_denied). 다시 로그인하고 CalWatch가 캘린더를 보도록 허용하세요
error-sign-in-wrong-state = 브라우저가 CalWatch가 요청하지 않은 로그인 응답을 보냈습니다(wrong state). 아무것도 저장하지 않았으니 로그인을 다시 시작하세요
error-sign-in-timed-out = 로그인이 { $minutes }분 안에 끝나지 않았습니다. 다시 시작하세요
error-sign-in-no-refresh-token = Google이 오프라인 접근을 허용하지 않았습니다(refresh token 없음). 다시 로그인하세요
error-sign-in-scopes = CalWatch가 캘린더와 일정을 볼 권한이 필요합니다. 다시 로그인하고 모든 항목에 체크하세요(빠진 권한: { $missing })

## 채널, 캘린더, 계정, 수신기, 데이터
error-no-channel = 채널 { $id }이(가) 없습니다.
error-no-active-channel = 활성 채널 { $id }이(가) 없습니다.
error-channel-renewing = 이 채널은 지금 갱신 중입니다. 곧 새 채널이 여기에 나타납니다.
error-database = 로컬 데이터베이스에 문제가 생겼습니다: { $reason }.
error-calendar-not-listed = Google의 { $account } 목록에 캘린더 “{ $calendar }”이(가) 없습니다.
error-calendar-gone = 캘린더 “{ $calendar }”이(가) 더 이상 없거나 { $account }와(과) 더 이상 공유되지 않아 CalWatch가 지켜보기를 멈췄습니다.
error-calendar-left = 캘린더 “{ $calendar }”이(가) 더 이상 없거나 { $account }와(과) 더 이상 공유되지 않습니다.
error-calendar-hidden = 캘린더 “{ $calendar }”이(가) { $account }의 캘린더 목록에서 숨겨져 CalWatch가 지켜보기를 멈췄습니다. 다시 지켜보려면 Google 캘린더에서 표시하세요.
error-calendar-hidden-unwatched = 캘린더 “{ $calendar }”이(가) { $account }의 캘린더 목록에서 숨겨졌습니다. 지켜보려면 Google 캘린더에서 표시하세요.
error-no-account = CalWatch에 { $account } 계정이 없습니다.
error-receiver-not-running = 로컬 수신기가 실행 중이 아닙니다.
error-receiver-bind = 수신기가 { $address }에서 들을 수 없습니다: { $reason }. 설정에서 다른 포트를 고르세요.
error-data-folder = CalWatch가 데이터 폴더 { $path }을(를) 만들지 못했습니다: { $reason }.

## 창이 보낸 설정
error-setting-threshold = 요약 기준은 1 이상이어야 합니다: 0이면 변경 하나도 요약으로 묶입니다.
error-setting-backstop = 예비 동기화 간격은 0(끔)에서 1440분(하루)까지여야 합니다.
error-setting-port = 수신기 포트는 1에서 65535까지여야 합니다: 0번 포트는 시작할 때마다 다른 곳에서 들어 터널이 따라갈 수 없습니다.
error-setting-poll = 푸시가 중단된 동안 Google을 확인하는 간격은 1에서 60분까지여야 합니다.

## 엔진 바깥의 앱: 대화상자, 링크, 샌드박스
shell-cannot-start = CalWatch를 시작할 수 없습니다
shell-picker-title = Google Cloud에서 내려받은 클라이언트 보안 비밀 파일을 고르세요
shell-picker-filter = OAuth 클라이언트 (JSON)
shell-picker-failed = 파일 선택 창에 문제가 생겼습니다: { $reason }
shell-https-only = CalWatch에서는 https 링크만 엽니다.
shell-bad-command = CalWatch가 그 작업을 하지 못했습니다: { $reason }
shell-agent-gone = 백그라운드에서 실행 중이던 CalWatch가 멈췄습니다. CalWatch를 다시 열어 시작하세요.
shell-window-failed = CalWatch 창을 열 수 없습니다: { $reason }
shell-browser-command-failed = 브라우저 명령을 시작할 수 없습니다: { $reason }
shell-browser-failed = 브라우저를 열 수 없습니다: { $reason }
shell-login-item-failed = 로그인할 때 시작 설정을 바꿀 수 없습니다: { $reason }
shell-login-item-no-home = 로그인할 때 시작하려면 홈 폴더가 필요한데 $HOME이 설정되어 있지 않습니다.
shell-login-item-not-written = 로그인할 때 시작을 켜지 못했습니다: { $file } 파일을 쓸 수 없습니다({ $reason }).
shell-login-item-not-removed = 로그인할 때 시작을 끄지 못했습니다: { $file } 파일을 지울 수 없습니다({ $reason }).
shell-sandbox-not-running = 샌드박스가 실행 중이 아닙니다: 먼저 “Google 계정 없이 해 보기”를 고르세요.
shell-sandbox-cannot-start = 샌드박스를 시작할 수 없습니다: { $reason }
shell-sandbox-event-gone = 이 일정은 그사이 삭제되어 샌드박스에 더 이상 없습니다. 목록에 지금 있는 일정이 보입니다.
shell-sandbox-calendar-gone = 이 캘린더는 샌드박스에 더 이상 없습니다. 목록에 지금 있는 캘린더가 보입니다.
shell-sandbox-bad-time = “{ $text }”은(는) 샌드박스가 이해하는 날짜나 시간이 아닙니다.

## 콜백 시험의 단계 (설정하기)
probe-step-address = 주소
probe-step-dns = 이름 조회(DNS)
probe-step-connection = 연결
probe-step-tls = 인증서(TLS)
probe-step-receiver = CalWatch 응답
# 각 단계가 찾은 것, 또는 무엇이 잘못되었고 어떻게 할지 (단계 이름 뒤에).
probe-not-a-url = 웹 주소가 아닙니다({ $reason })
probe-http-refused = 주소는 https://로 시작해야 합니다. Google은 HTTPS 주소로만 보냅니다
probe-wrong-scheme = 주소는 { $scheme }://가 아니라 https://로 시작해야 합니다
probe-no-host = 주소에 호스트 이름이 없습니다
probe-no-port = 주소에 포트가 없습니다
probe-https = HTTPS 주소
probe-plain-http = 일반 HTTP, 로컬 시험에서만 허용됩니다
probe-ip-address = { $ip }은(는) IP 주소라서 조회가 필요 없습니다
probe-no-such-host = { $host }을(를) 찾을 수 없습니다(DNS). 주소의 철자가 맞는지, 터널이 실행 중인지 확인하세요
probe-resolves = { $host }의 주소는 { $ip }입니다
probe-lookup-slow = { $host } 조회가 { $seconds }초 넘게 걸렸습니다
probe-nothing-listens = { $host }:{ $port }에서 연결을 받는 것이 없습니다({ $reason }). 터널이 실행 중인가요?
probe-timed-out = 시간 초과
probe-connected = { $address }에 연결했습니다
probe-request-setup = 요청을 준비할 수 없습니다: { $reason }
probe-certificate-rejected = 터널의 인증서가 거부되었습니다. Google에는 유효한 인증서가 필요합니다({ $reason })
probe-handshake-failed = TLS 핸드셰이크에 실패했습니다({ $reason }). 이 주소가 정말 https로 제공되나요?
probe-no-answer = { $seconds }초 안에 응답이 없습니다
probe-secure-connection-failed = 보안 연결에 실패했습니다: { $reason }
probe-request-failed = 요청에 실패했습니다: { $reason }
probe-certificate-accepted = 인증서가 받아들여졌습니다
probe-answered = CalWatch가 { $ms }ms 만에 응답했습니다
probe-receiver-address = CalWatch 수신기의 주소
probe-elsewhere = 다른 곳
probe-redirects = 이 주소는 { $to }(으)로 넘겨 줍니다(HTTP { $status }). Google은 넘겨 주기를 따르지 않으니 최종 주소를 쓰세요
probe-not-calwatch = 이 주소에서 무언가 응답했지만(HTTP { $status }) CalWatch가 아닙니다. 터널이 { $forward }(으)로 전달하고 있나요?

## 창이 보낸 알림 규칙
error-rules-within-zero = “앞으로 N일 안의 일정만”은 적어도 1일이어야 합니다. 모든 일정을 알림 받으려면 끄세요.
error-rules-within-too-far = “앞으로 N일 안의 일정만”은 3650일(10년)까지입니다.
error-quiet-time-of-day = 방해 금지 시간은 00:00에서 23:59 사이에 시작하고 끝나야 합니다.
error-quiet-seven-days = 방해 금지 시간에는 일주일 일곱 날 각각의 선택이 필요합니다.
error-quiet-same-time = 방해 금지 시간의 시작과 끝은 달라야 합니다: 끝나는 때를 고르세요.
error-quiet-no-day = 방해 금지 시간에는 적어도 하루가 필요합니다. 조용한 때가 없게 하려면 끄세요.

## 샌드박스 자체의 실패
shell-sandbox-refused = 샌드박스가 변경을 거부했습니다: { $reason }
shell-sandbox-clear-failed = 샌드박스가 이전 데이터를 지우지 못했습니다: { $reason }
shell-sandbox-folder-failed = 샌드박스가 데이터 폴더를 만들지 못했습니다: { $reason }
shell-sandbox-server-failed = 샌드박스 서버를 시작할 수 없습니다: { $reason }
shell-sandbox-secret-failed = 샌드박스가 클라이언트 보안 비밀을 쓰지 못했습니다: { $reason }
shell-sandbox-no-port = 샌드박스가 비어 있는 로컬 포트를 찾지 못했습니다: { $reason }
shell-sandbox-config-invalid = 샌드박스 설정이 올바르지 않습니다: { $reason }

## Google의 거부
error-google-forbidden = Google이 접근을 거부했습니다({ $reason }): { $message }.
error-google-bad-request = Google이 요청을 거부했습니다: { $message }.
error-google-unexpected-status = Google이 예상하지 못한 HTTP 상태 { $status }(으)로 응답했습니다: { $message }.
error-callback-refused-not-https = Google이 콜백 URL { $address }을(를) 거부했습니다: 유효한 인증서가 있는 HTTPS여야 합니다. 터널이 주는 https 주소를 쓰세요.
error-callback-refused-unauthorized = Google이 { $address }(으)로 보내기를 거부했습니다: Unauthorized WebHook callback channel (push.webhookUrlUnauthorized). Google은 주소의 도메인 인증을 원합니다: 설정하기에서 Search Console이 제시한 인증 파일 이름(google….html)을 붙여 넣고, Search Console에서 도메인을 인증한 뒤, Google Cloud 콘솔의 API 및 서비스 → 도메인 인증에 추가하고 다시 지켜보세요.

## 그 밖의 로그인 실패 까닭과 로컬 데이터
error-sign-in-setup = Google 로그인 설정을 쓸 수 없습니다: { $reason }
error-sign-in-loopback = CalWatch가 127.0.0.1에서 브라우저의 응답을 기다릴 수 없습니다: { $reason }
error-sign-in-browser = 브라우저를 열 수 없습니다: { $reason }
error-sign-in-refused = Google이 로그인을 거부했습니다({ $error })
error-sign-in-exchange = Google이 로그인을 받아들이지 않았습니다({ $error }). 다시 시작하세요
error-sign-in-no-primary = Google이 기본 캘린더를 알려 주지 않았습니다: { $reason }
error-store-open = CalWatch가 { $path }의 데이터를 열 수 없습니다: { $reason }. 폴더에 쓸 수 있는지 확인하세요. 파일이 손상되었다면 다른 곳으로 옮기면 CalWatch가 새로 시작합니다.
error-store-newer = 이 데이터는 더 새 버전의 CalWatch가 썼습니다(스키마 { $found }, 이 버전은 { $supported }까지 압니다). 쓰려면 CalWatch를 업데이트하세요. 파일은 바뀌지 않았습니다.
error-verification-file-name = “{ $text }”은(는) 인증 파일 이름이 아닙니다. Search Console이 “HTML 파일” 아래에 제시하는 파일 이름을 붙여 넣으세요: google1234abcd5678ef90.html 같은 모양입니다.

## CalWatch가 실행하는 터널 (설정하기)
tunnel-not-installed = { $program }이(가) PATH에 없습니다. 설치한 뒤({ $url }) 다시 고르세요.
tunnel-not-started = { $program }을(를) 시작할 수 없습니다: { $reason }.
# 주소를 주기 전에 실패한 도구: 도구가 한 말, 그리고 할 일.
tunnel-failed = { $said } { $todo }
tunnel-said = { $program }의 말: “{ $words }”.
tunnel-silent = { $program }이(가) 아무 말 없이 멈췄습니다({ $ending }).
tunnel-ended-no-address = { $seconds }초 동안 주소가 없음
tunnel-ended-no-answer = { $seconds }초 동안 응답이 없음
tunnel-ended-not-run = 실행할 수 없음: { $reason }
tunnel-todo-ngrok-authtoken = ngrok에는 계정의 authtoken이 필요합니다. https://dashboard.ngrok.com/signup 에서 가입하고 `ngrok config add-authtoken <토큰>`을 실행한 뒤(https://dashboard.ngrok.com/get-started/your-authtoken) 다시 시도하세요.
tunnel-todo-enable-funnel = 도구가 알려 준 링크에서 tailnet의 Funnel을 켜고(관리 콘솔은 HTTPS 인증서도 켜라고 합니다) 다시 시도하세요.
tunnel-todo-tailscale-up = Tailscale이 실행 중이고 로그인되어 있는지(`tailscale up`), tailnet에 HTTPS 인증서와 Funnel이 켜져 있는지 확인한 뒤 다시 시도하세요.
tunnel-todo-check-connection = 이 컴퓨터의 인터넷 연결을 확인하고 다시 시도하세요. CalWatch 로그에 도구의 출력이 모두 있습니다.
tunnel-restarting = { $program }이(가) 멈췄습니다({ $ending }). CalWatch가 { $seconds }초 뒤에 다시 시작합니다.
tunnel-no-dns-name = Funnel은 시작했지만 `tailscale status --json`이 이 기기의 DNS 이름을 알려 주지 않았습니다. `tailscale status`를 확인한 뒤 다시 시도하세요.
tunnel-no-address-within = { $program }이(가) { $seconds }초 안에 공개 주소를 주지 않았습니다. CalWatch 로그에 출력이 있습니다.
tunnel-stopped-early = 터널이 주소를 주기 전에 멈췄습니다.

## 로컬 데이터, 설정 파일과 환경 변수
error-store-unknown-calendar = CalWatch가 모르는 캘린더입니다: { $id }.
error-store-unknown-channel = CalWatch가 모르는 채널입니다: { $id }.
error-store-unknown-account = CalWatch가 모르는 계정입니다: { $id }.
error-store-invalid = 앞뒤가 맞지 않는 데이터라서 저장하지 않았습니다: { $reason }.
error-store-corrupt = CalWatch의 데이터에 읽을 수 없는 값이 있습니다: { $reason }.
error-store-database = CalWatch가 데이터베이스를 쓸 수 없습니다: { $reason }.
error-config-no-data-dir = CalWatch가 데이터를 둘 폴더를 찾지 못했습니다. CALWATCH_DATA_DIR에 쓸 수 있는 폴더를 지정하세요.
error-config-invalid-env = { $var }의 값 { $value }은(는) CalWatch가 쓸 수 없습니다: { $reason }. 고치거나 지운 뒤 CalWatch를 다시 시작하세요.
error-config-settings-unreadable = CalWatch가 { $path }의 설정을 읽을 수 없습니다: { $reason }. 파일의 권한을 확인하세요.
error-config-settings-invalid = { $path }의 CalWatch 설정이 손상되었습니다({ $reason }). 파일을 고치거나 다른 곳으로 옮기면 기본 설정으로 시작합니다.
error-config-save-failed = CalWatch가 설정을 { $path }에 저장할 수 없습니다: { $reason }. 빈 공간이 있는지, 폴더에 쓸 수 있는지 확인하세요.
error-secret-not-saved = OAuth 클라이언트는 괜찮지만 CalWatch가 { $path }에 사본을 저장할 수 없습니다: { $reason }. 빈 공간이 있는지, 폴더에 쓸 수 있는지 확인하세요.
# $action은 read, save, delete 중 하나입니다.
error-keyring-refused = { $action ->
    [read] 시스템 키링이 CalWatch 로그인 정보 읽기를 거부했습니다: { $reason }.
    [delete] 시스템 키링이 CalWatch 로그인 정보 삭제를 거부했습니다: { $reason }.
   *[save] 시스템 키링이 CalWatch 로그인 정보 저장을 거부했습니다: { $reason }.
}
error-keyring-timed-out = 시스템 키링이 잠겨 있거나 쓸 수 없습니다: { $seconds }초 안에 응답하지 않았습니다(잠금 해제를 기다리고 있을 수 있습니다). 키링의 잠금을 풀거나(GNOME 키링, KWallet 같은 키링을 시작하고) 다시 시도하세요. CalWatch는 Google 로그인을 그곳에만 보관하며 파일에는 절대 두지 않습니다.
error-keyring-ambiguous = { $action ->
    [read] 시스템 키링이 CalWatch 로그인 정보 읽기를 거부했습니다: 이 계정에 맞는 항목이 { $count }개 있습니다. 남는 항목을 지우세요.
    [delete] 시스템 키링이 CalWatch 로그인 정보 삭제를 거부했습니다: 이 계정에 맞는 항목이 { $count }개 있습니다. 남는 항목을 지우세요.
   *[save] 시스템 키링이 CalWatch 로그인 정보 저장을 거부했습니다: 이 계정에 맞는 항목이 { $count }개 있습니다. 남는 항목을 지우세요.
}
error-keyring-crashed = { $action ->
    [read] 시스템 키링이 CalWatch 로그인 정보 읽기를 거부했습니다: 키링 호출이 뜻밖에 실패했습니다({ $reason }).
    [delete] 시스템 키링이 CalWatch 로그인 정보 삭제를 거부했습니다: 키링 호출이 뜻밖에 실패했습니다({ $reason }).
   *[save] 시스템 키링이 CalWatch 로그인 정보 저장을 거부했습니다: 키링 호출이 뜻밖에 실패했습니다({ $reason }).
}
error-task-failed = CalWatch의 백그라운드 작업이 실패했습니다: { $reason }.
error-settings-unknown-keys = { $file }에 CalWatch가 모르는 설정이 있어 무시합니다: { $keys }. 파일은 그대로 두었습니다. 고친 뒤 CalWatch를 다시 시작하세요.
error-settings-unknown-keys-timings = { $file }에 CalWatch가 모르는 설정이 있어 무시합니다: { $keys }. { $timings }은(는) “timings” 아래에 있어야 합니다. 파일은 그대로 두었습니다. 고친 뒤 CalWatch를 다시 시작하세요.

## The page the browser tab shows when Google sends it back to CalWatch
signin-page-done = CalWatch에 로그인했습니다. 이 탭은 닫아도 됩니다.
signin-page-failed = CalWatch에 로그인하지 못했습니다: { $reason }
signin-page-not-ours = 브라우저가 CalWatch가 요청하지 않은 로그인 응답을 가져왔습니다. 아무것도 저장하지 않았습니다. CalWatch는 시작한 로그인에 대한 Google의 응답을 계속 기다립니다.
signin-page-nothing-here = 이 주소는 CalWatch 로그인을 마무리할 때만 쓰입니다. 여기에는 아무것도 없습니다.
signin-page-gone = 이 로그인은 더 이상 진행 중이 아닙니다. CalWatch에서 다시 시작하세요.
