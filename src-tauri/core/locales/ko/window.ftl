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
