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
