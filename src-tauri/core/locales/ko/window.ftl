# 창의 문구 (ui/src/lib/i18n.ts가 이 파일을 읽습니다).

## 설정 → 언어
settings-language = 언어
settings-language-system = 시스템 ({ $system })
settings-language-english = English
settings-language-korean = 한국어
settings-hour-cycle = 시계
settings-hour-cycle-automatic = 자동
settings-hour-cycle-h12 = 12시간
settings-hour-cycle-h24 = 24시간

## 카운트다운과 상대 시간
countdown-expired = 만료됨
countdown-days = { $days }일 { $hours }시간
countdown-hours = { $hours }시간 { $minutes }분
countdown-minutes = { $minutes }분 { $seconds }초
countdown-seconds = { $seconds }초
ago-just-now = 방금
ago-minutes = { $n }분 전
ago-hours = { $n }시간 전
ago-yesterday = 어제
ago-days = { $n }일 전

## 섹션
nav-sections = 섹션
nav-setup = 설정하기
nav-calendars = 캘린더
nav-channels = 채널
nav-activity = 활동
nav-settings = 설정
nav-sandbox = 샌드박스

## 설정하기
setup-title = 설정하기
setup-lede = 새로 설치한 뒤 캘린더가 바뀌는 순간 알림을 받기까지 다섯 단계입니다.
setup-step-secret = OAuth 클라이언트 보안 비밀 가져오기
setup-step-sign-in = Google로 로그인
setup-step-callback = 공개 콜백 URL
setup-step-receiver = 로컬 수신기
setup-step-watch = 캘린더 지켜보기

## 캘린더
# A calendar whose name another account's calendar also has.
calendar-with-account = { $calendar } ({ $account })
calendars-title = 캘린더
calendars-lede = 캘린더를 지켜보면 그 안에서 무엇이 바뀌든 바로 알려 드립니다.

## 채널
channels-title = 채널
channels-lede = Google은 이 채널로 변경 알림을 보냅니다. CalWatch는 채널이 만료되기 전에 갱신합니다.
channels-empty = 채널이 없습니다. 캘린더를 지켜보면 채널이 여기에 나타납니다.
channels-open-calendars = 캘린더 열기
channels-expires = { $when } 만료
channels-created = 만든 때
channels-expires-at = 만료 시각
channels-last-message = 마지막 메시지
channels-none-yet = 아직 없음
channels-renew = 지금 갱신
channels-renewing = 갱신 중…
channels-renew-label = { $calendar } 채널 지금 갱신
channels-stop = 중지
channels-stopping = 중지하는 중…
channels-stop-label = { $calendar } 채널 중지
channels-lists-title = 캘린더 목록
channels-lists-lede = CalWatch는 계정마다 캘린더 목록도 지켜봅니다. 누군가 캘린더를 공유하면 바로 나타납니다. 이 채널도 같은 방식으로 갱신합니다.
channels-lists-label = 캘린더 목록 채널
channels-list-renew-label = { $account } 캘린더 목록 채널 지금 갱신

## 활동
activity-title = 활동
activity-lede = 지켜보는 캘린더에서 바뀐 내용, 최신순.
activity-empty = 아직 변경이 없습니다. 지켜보는 캘린더에서 무언가 바뀌면 여기에 나타납니다.
activity-show-all = 모두 보기
kind-created = 추가됨
kind-updated = 변경됨
kind-cancelled = 취소됨

## 설정
settings-title = 설정

## 샌드박스
sandbox-title = 샌드박스
sandbox-lede = 가상 계정의 일정입니다. 여기서 바꾸면 CalWatch가 Google에서처럼 알려 드립니다.

## 창의 틀: 상태 줄, 배너
# <strong>, <code>, <link> 표시 사이의 글은 그 모양(또는 링크)으로 보입니다.
status-not-connected = 연결되지 않음
status-loading = 불러오는 중…
status-starting-sandbox = 샌드박스를 시작하는 중…
status-not-signed-in = 로그인하지 않음
status-needs-sign-in = 로그인 필요
status-needs-attention = 확인 필요
status-receiver-not-listening = 수신기가 듣고 있지 않음
status-offline = 오프라인
status-push-down = 푸시 중단 · { $minutes }분마다 Google 확인 중
status-not-watching = 아직 지켜보는 캘린더 없음
status-watching = 캘린더 { $count }개 지켜보는 중
status-paused = { $watching } · 일시 중지됨
status-quiet = { $watching } · 방해 금지 시간
nav-channel-count = 채널 { $count }개
banner-not-connected = <strong>연결되지 않았습니다.</strong> 이 페이지는 CalWatch 앱 밖에서 열려 있어 보여 줄 것이 없고 버튼도 동작하지 않습니다. 쓰려면 CalWatch를 시작하세요.
banner-sandbox = <strong>샌드박스</strong> — 이 컴퓨터의 가상 Google 계정
sandbox-leave = 샌드박스 나가기
sandbox-leaving = 나가는 중…
error-not-connected = CalWatch에 연결되지 않았습니다: 이 페이지는 앱 밖에서 열려 있습니다.
banner-dismiss = 이 메시지 닫기

## 오류를 해결하는 방법 (옆의 버튼)
remedy-sign-in-again = 다시 로그인
remedy-import-secret = 클라이언트 보안 비밀 가져오기
remedy-set-callback = 콜백 URL 입력
remedy-verify-domain = 도메인 인증
remedy-change-port = 수신기 포트 바꾸기

## 공통 낱말
done-mark = (완료)
todo-mark = (할 일)
save = 저장
cancel = 취소
saving = 저장하는 중…
go-to-setup = 설정하기로 가기
account-needs-sign-in = 로그인 필요
account-offline = 오프라인
account-signed-in = 로그인됨
signed-in-as = <strong>{ $email }</strong>(으)로 로그인됨
add-account = 다른 Google 계정 추가
waiting-for-browser = 브라우저를 기다리는 중…

## 설정하기, 단계
setup-sandbox-title = 쓸 수 있는 Google 계정이 없나요?
setup-sandbox-text = 이 컴퓨터에서 예시 캘린더가 있는 가상 Google 계정을 시작합니다. 캘린더를 지켜보고, 샌드박스 화면에서 일정을 추가하거나 옮기며 알림을 확인하세요. 언제든 샌드박스를 나가 실제 계정을 설정할 수 있습니다.
setup-sandbox-try = Google 계정 없이 해 보기
setup-sandbox-starting = 시작하는 중…
setup-secret-sandbox = 샌드박스에는 자체 클라이언트가 있어 가져올 것이 없습니다.
setup-secret-what = Google Cloud 콘솔에서 만든 <strong>데스크톱 앱</strong> OAuth 클라이언트의 <code>client_secret_….json</code> 파일:
setup-console-library = <link>API 및 서비스 → 라이브러리 → Google Calendar API</link>: 사용 설정하세요.
setup-console-consent = <link>OAuth 동의 화면</link>: 자신을 테스트 사용자로 추가하세요.
setup-testing-note = 앱이 “테스트” 상태인 동안 Google은 7일마다 다시 로그인하라고 요청합니다. 그때 CalWatch가 알려 드리며 나머지는 모두 그대로 둡니다.
setup-console-credentials = <link>사용자 인증 정보 → 사용자 인증 정보 만들기 → OAuth 클라이언트 ID</link>: 애플리케이션 유형 <strong>데스크톱 앱</strong>을 고른 뒤 JSON을 내려받으세요.
setup-client = 클라이언트 <code>{ $id }</code>
setup-client-imported = 가져옴
setup-choose-file = 파일 선택…
setup-or = 또는
setup-secret-path-label = 클라이언트 보안 비밀 파일 경로
setup-secret-path-placeholder = /home/사용자/다운로드/client_secret_….json
setup-import = 가져오기
setup-sign-in-explain = CalWatch가 브라우저에서 Google 로그인 페이지를 열고 캘린더를 읽을 권한을 요청합니다.
setup-sign-in = Google로 로그인
setup-callback-explain = 이 컴퓨터의 수신기로 전달하는 터널이나 리버스 프록시의 HTTPS 주소입니다. Google이 이 주소로 변경 알림을 보냅니다.
setup-callback-none = 아직 저장된 주소가 없습니다.
setup-callback-untested = 저장했지만 아직 시험하지 않았습니다: 시험을 누르세요.
setup-callback-failing = 저장했지만 마지막 시험이 실패했습니다.
setup-callback-passed = 시험 통과: 이 CalWatch에 닿습니다.
setup-push-down = 푸시가 중단됨: { $reason } — 그동안 { $minutes }분마다 Google을 확인합니다.
setup-push-down-no-answer = 공개 주소가 응답하지 않습니다
setup-push-works = 푸시 정상: Google의 알림이 이 CalWatch에 닿습니다.
setup-callback-label = 공개 콜백 URL
setup-callback-placeholder = https://calwatch.example.net/notifications
setup-test = 시험
setup-testing = 시험하는 중…
setup-probe-rtt = 왕복 { $ms }ms
setup-probe-passed = 통과
setup-probe-failed = 실패
probe-not-reachable = 아직 닿지 않습니다.
probe-local-http = 이 로컬 HTTP 주소로는 닿지만 인터넷에서는 닿지 않습니다: Google은 HTTPS로만 보냅니다.
probe-reachable = 인터넷에서 닿습니다.
setup-listening = <code>{ $address }</code>에서 듣는 중
setup-not-listening = <code>{ $address }</code>에서 듣고 있지 않음
setup-receiver-point = 터널이나 프록시가 이 주소를 가리키게 하세요.
setup-receiver-unknown = CalWatch에 연결될 때까지 알 수 없습니다.
setup-watching = 캘린더 { $count }개를 지켜보는 중입니다.
setup-watch-pick = 알림을 받을 캘린더를 고르세요.

## 설정하기, 터널 제안
tunnel-heading = 공개 주소 만들어 주기
tunnel-use = { $tool } 사용
tunnel-starting = 시작하는 중…
tunnel-none = 이 컴퓨터에 설치된 터널 도구가 없습니다. 아래 중 하나를 설치한 뒤 돌아오거나, 그 명령을 직접 실행하고 출력된 주소를 아래에 붙여 넣으세요.
tunnel-state-starting = 시작하는 중…
tunnel-state-running = 실행 중
tunnel-state-restarting = 다시 시작하는 중…
tunnel-state-failed = 시작하지 못함
tunnel-state-stopped = 멈춤
tunnel-status = { $tool }: { $state }
tunnel-at = 주소 <code>{ $url }</code>
tunnel-stop = 멈추기
tunnel-tools = 터널 도구
tunnel-other-tools = 다른 터널 도구
tunnel-install = { $tool } 설치
tunnel-copy = 복사
tunnel-copied = 복사됨
tunnel-label-cloudflared = Cloudflare 빠른 터널
tunnel-label-ngrok = ngrok
tunnel-label-tailscale = Tailscale Funnel
tunnel-summary-cloudflared = 무료이며 계정이 필요 없습니다. 시작할 때마다 주소가 바뀌므로(채널은 CalWatch가 옮겨 드립니다) 시험용이며, 주소를 Google에 인증된 채로 둘 수 없습니다.
tunnel-summary-ngrok = 무료 ngrok 계정과 인증 토큰(<code>ngrok config add-authtoken …</code>)이 필요합니다. 무료 고정 도메인을 쓰면 주소가 그대로이고 Google에 인증할 수 있습니다.
tunnel-summary-tailscale = tailnet의 고정 주소로, 매일 쓰기에 가장 좋습니다. tailnet에서 HTTPS 인증서와 Funnel을 켜야 하며 도메인을 Google에 인증할 수 있습니다.

## 설정하기, 도메인 인증
verify-heading = 도메인 인증
verify-only-if = (Google이 주소를 거부할 때만)
verify-explain = 어떤 Google Cloud 프로젝트는 콜백 도메인이 인증되기 전까지 “Unauthorized WebHook callback channel” 오류를 받습니다. 인증 파일은 CalWatch가 대신 제공합니다:
verify-step-search-console = <link>Google Search Console</link>에서 <code>{ $origin }/</code>을(를) URL 접두어 속성으로 추가하고 <strong>HTML 파일</strong> 방식을 고르세요.
verify-step-search-console-no-origin = <link>Google Search Console</link>에서 공개 주소를 URL 접두어 속성으로 추가하고 <strong>HTML 파일</strong> 방식을 고르세요.
verify-step-paste = 제시된 파일 이름(<code>google…html</code>)을 여기에 붙여 넣어 저장한 뒤, 그곳에서 확인을 누르세요.
verify-step-cloud-console = <link>Cloud 콘솔 → API 및 서비스 → 도메인 인증</link>에서 도메인을 추가하세요. 그런 다음 다시 지켜보세요.
verify-quick-tunnel = 빠른 터널의 주소는 시작할 때마다 바뀌어 인증된 채로 둘 수 없습니다: 인증된 주소에는 Tailscale Funnel이나 ngrok 도메인을 쓰세요.
verify-file-label = 인증 파일 이름
verify-serving = <code>{ $path }</code> 제공 중
verify-stop = 제공 멈추기

## 캘린더, 행과 규칙
calendars-refresh = 새로 고침
calendars-refreshing = 새로 고치는 중…
calendars-sign-in-first = 로그인하면 캘린더가 보입니다.
calendars-none-to-show = 보여 줄 캘린더가 없습니다.
calendars-none-yet = 아직 캘린더가 없습니다.
calendars-of = { $account }의 캘린더
calendar-primary = 기본
calendar-removed = Google에서 삭제됨
calendar-watching = 지켜보는 중
calendar-watch = 지켜보기
calendar-watching-busy = 지켜보기 시작하는 중…
calendar-watch-label = { $calendar } 지켜보기
calendar-stop = 중지
calendar-stopping = 중지하는 중…
calendar-stop-label = { $calendar } 지켜보기 중지
access-reader = 읽기 전용
access-reader-title = 이 캘린더의 일정을 볼 수 있지만 바꿀 수는 없습니다.
access-free-busy = 바쁨 여부만
access-free-busy-title = 이 캘린더가 바쁜 때만 볼 수 있어, CalWatch는 무언가 바뀌었다는 것만 알려 드릴 수 있고 무엇이 바뀌었는지는 알 수 없습니다.
rules-mute = 음소거
rules-mute-explain = (계속 지켜보고 기록하되 알림은 없음)
rules-muted = 음소거됨
rules-which = 알릴 변경
rules-tell-me = 알림 받을 내용
rules-kind-created = 새 일정
rules-kind-time = 시간 변경
rules-kind-cancelled = 취소
rules-kind-title-place = 제목과 장소 변경
rules-kind-replies = 참석자의 응답
rules-within-before = 앞으로
rules-within-days-label = 일
rules-within-after = 일 안의 일정만
rules-within-invalid = 1일에서 3650일까지.

## 채널, 상태
channels-list = 채널
badge-active = 활성
badge-renewing = 갱신 중
badge-expiring-soon = 곧 만료
badge-expired = 만료됨
badge-error = 오류
badge-pending = 대기 중
badge-stopped = 중지됨

## 활동, 변경 내용과 보류
activity-focus = 요약에서 알린 변경 { $count }개를 보여 주는 중입니다.
activity-changes = 변경
activity-silenced = 조용히: { $why }
activity-silenced-title = 이 변경에는 알림이 표시되지 않았습니다
activity-what-changed = 바뀐 내용
activity-changed-to = 바뀐 값
activity-open = Google 캘린더에서 열기
field-time = 시간
field-all-day = 종일
field-title = 제목
field-place = 장소
field-status = 상태
field-response = 내 응답
field-description = 설명
field-repeats = 반복
field-replies = 응답
hold-paused-until = { $until }까지 알림이 일시 중지되었습니다. 변경은 계속 여기에 기록되고, 일시 중지가 끝나면 한 번의 요약으로 알려 드립니다.
hold-paused = 알림이 일시 중지되었습니다. 변경은 계속 여기에 기록됩니다.
hold-resume = 다시 시작
hold-resuming = 다시 시작하는 중…
hold-quiet-until = { $until }까지 방해 금지 시간: 변경은 여기에 기록되고 끝나면 한 번의 요약으로 알려 드립니다.
hold-quiet = 방해 금지 시간: 변경은 여기에 기록되고 끝나면 한 번의 요약으로 알려 드립니다.

## 설정, 나머지
settings-not-signed-in = 로그인하지 않았습니다.
settings-not-connected = CalWatch에 연결되면 설정이 나타납니다.
settings-notifications = 알림
settings-pause = 알림 일시 중지
settings-pause-explain = 변경은 계속 활동에 기록되며, 팝업은 뜨지 않습니다.
settings-autostart = 로그인할 때 시작
settings-autostart-explain = 로그인하는 순간부터 CalWatch가 트레이에서 기다립니다.
settings-watch-new = 새 캘린더 자동으로 지켜보기
settings-watch-new-explain = 계정에 새로 공유된 캘린더를 알림으로 묻지 않고 바로 지켜봅니다.
settings-syncing = 동기화
settings-threshold = 요약 기준
settings-threshold-help = 한 번의 동기화에서 이보다 많이 바뀌면 요약 알림 하나로 묶습니다.
settings-threshold-invalid = 1 이상의 정수.
settings-backstop = 예비 동기화 간격(분)
settings-backstop-help = Google의 알림이 빠졌을 때를 대비한 조용한 확인입니다. 0이면 끕니다.
settings-backstop-invalid = 0(끔)에서 1440분까지.
settings-poll = 푸시가 중단된 동안 Google 확인 간격(분)
settings-poll-help = Google의 알림이 이 컴퓨터에 닿지 않을 때, 지켜보는 모든 캘린더를 대신 이 간격으로 확인합니다.
settings-poll-invalid = 1에서 60분까지.
settings-port = 수신기 포트
settings-port-help = 터널이나 프록시가 전달하는 로컬 포트입니다.
settings-port-invalid = 1에서 65535까지의 포트.
settings-saved = 저장했습니다.
settings-accounts = 계정
settings-accounts-list = Google 계정
settings-sign-out-question = { $email }에서 로그아웃할까요? CalWatch가 이 계정의 채널을 멈추고, 토큰을 잊고, 이 계정의 캘린더 알림을 멈춥니다. 다른 계정은 그대로입니다.
settings-delete-history = 이 계정의 기록도 삭제
settings-sign-out = 로그아웃
settings-signing-out = 로그아웃하는 중…
settings-keep-signed-in = 로그인 유지
settings-sign-out-ask = 로그아웃…
settings-history = 기록
settings-history-explain = CalWatch는 활동 목록을 위해 바뀐 내용(제목, 시간, 링크)을 180일 동안 보관합니다.
settings-clear-question = 활동의 모든 변경을 삭제할까요? 되돌릴 수 없습니다.
settings-clear = 기록 지우기
settings-clearing = 지우는 중…
settings-keep-it = 그대로 두기
settings-clear-ask = 기록 지우기…
settings-cleared = 기록을 지웠습니다.
notices-heading = 알릴 내용
notices-pause-hour = 1시간 일시 중지
notices-pause-tomorrow = 내일까지 일시 중지
notices-skip-declined = 내가 거절한 일정의 변경은 건너뛰기
notices-skip-only-attendee = 나만 참석하는 일정은 건너뛰기
notices-guest-replies = 다른 참석자의 응답 알리기
notices-replies-organizer = 내가 주최한 일정만
notices-replies-always = 모든 일정
notices-replies-never = 안 함
notices-quiet = 방해 금지 시간
notices-from = 시작
notices-to = 끝
notices-quiet-days = 방해 금지 시간이 시작되는 요일
notices-quiet-explain = 방해 금지 중이거나 일시 중지된 동안의 변경은 기록되었다가 끝날 때 한 번의 요약으로 알려 드립니다.

## 샌드박스, 나머지
sandbox-add-heading = 일정 추가
sandbox-field-title = 제목
sandbox-title-placeholder = 팀 회의
sandbox-field-date = 날짜
sandbox-field-start = 시작
sandbox-field-duration = 길이
sandbox-field-calendar = 캘린더
sandbox-minutes = { $minutes }분
sandbox-hours = { $hours }시간
sandbox-hours-minutes = { $hours }시간 { $minutes }분
sandbox-not-watched = { $calendar } (지켜보지 않음)
sandbox-add = 추가
sandbox-adding = 추가하는 중…
sandbox-loading = 일정을 불러오는 중…
sandbox-empty = 아직 일정이 없습니다. 위에서 추가하세요.
sandbox-events = 샌드박스 일정
sandbox-rename-label = { $title }의 새 제목
sandbox-no-title = (제목 없음)
sandbox-all-day = { $date }, 종일
sandbox-move-earlier = { $title } 한 시간 앞당기기
sandbox-move-later = { $title } 한 시간 미루기
sandbox-rename = 이름 바꾸기
sandbox-delete = 삭제
sandbox-delete-label = { $title } 삭제

## 날짜와 시간 입력
date-field-year = 연도
date-field-month = 월
date-field-day = 일
time-field-hour = 시
time-field-minute = 분
time-field-period = 오전 또는 오후
