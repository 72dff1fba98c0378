# 창에 보이는 엔진 오류 문장. 코드는 바뀌지 않습니다.

error-no-client-secret = 로그인하기 전에 Google OAuth 클라이언트 파일(client_secret_….json, "데스크톱 앱" 클라이언트)을 가져오세요.
error-sign-in-failed = 로그인 실패: { $reason }
error-sign-in-cancelled = 로그인이 취소되었습니다.
error-needs-sign-in = Google 로그인이 만료되었거나 없습니다. Google로 다시 로그인하세요.
error-no-callback = 캘린더를 지켜보기 전에 설정에서 공개 콜백 URL(터널의 https 주소)을 입력하세요.
error-port-in-use = 포트 { $port }을(를) 다른 프로그램이 쓰고 있습니다. 설정에서 다른 포트를 고르고 터널이 그 포트를 가리키게 하세요.
error-sync-stopped = 캘린더를 더 이상 지켜보지 않거나 CalWatch가 종료 중이어서 동기화가 끝나기 전에 멈췄습니다.
