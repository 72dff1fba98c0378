# 트레이 아이콘의 툴팁과 메뉴.

tray-watching = { $count ->
    [0] CalWatch — 아직 지켜보는 캘린더 없음
   *[other] CalWatch — 캘린더 { $count }개 지켜보는 중
}
tray-next-renewal = { $wait } 후 갱신
tray-paused = 알림 일시 중지됨
tray-paused-until = { $time }까지 알림 일시 중지됨
tray-quiet = 방해 금지 시간
tray-quiet-until = { $time }까지 방해 금지 시간
tray-sign-in-again = 다시 로그인 필요
tray-offline = Google에 연결할 수 없음
tray-receiver-down = 수신기가 대기 중이 아님
tray-channel-attention = 확인이 필요한 채널 있음
tray-push-works = 푸시 작동 중
tray-push-unchecked = 푸시 아직 확인 안 됨
tray-days = { $n }일
tray-hours = { $n }시간
tray-minutes = { $n }분
tray-now = 지금

menu-open = CalWatch 열기
menu-pause = 알림 일시 중지
menu-pause-hour = 1시간 동안
menu-pause-tomorrow = 내일까지
menu-pause-until-resumed = 다시 켤 때까지
menu-resume = 알림 다시 켜기
menu-start-at-login = 로그인 시 시작
menu-quit = 종료

## 푸시 중단, 트레이 줄과 까닭 (설정하기에도 보임)
push-down = 푸시 중단: { $reason }
push-down-polling = 푸시 중단: { $reason } — 그동안 { $minutes }분마다 Google 확인
push-reason-not-an-address = 콜백 URL이 쓸 수 있는 주소가 아닙니다
push-reason-no-name = 공개 주소의 이름을 찾을 수 없습니다
push-reason-no-answer = 공개 주소가 응답하지 않습니다
push-reason-certificate = 공개 주소의 인증서를 받아들일 수 없습니다
push-reason-tunnel-only = 터널은 응답하지만 CalWatch에 닿지 않습니다
push-reason-elsewhere = 공개 주소가 CalWatch가 아닌 다른 곳으로 이어집니다
push-reason-redirects = 공개 주소가 다른 곳으로 리디렉션됩니다
