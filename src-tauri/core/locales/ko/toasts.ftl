# 알림: 변경 하나의 제목과 본문, 요약과 모아보기, 반복 규칙.
# 일정 제목, 장소, 캘린더 이름은 Google에서 온 그대로 넘겨받습니다.

no-title = (제목 없음)

## 다른 계정의 캘린더와 이름이 같은 캘린더
calendar-with-account = { $calendar } ({ $account })

## 변경 하나의 제목
event-added = 새 일정: { $title }
event-cancelled = 일정 취소: { $title }
event-changed = 일정 변경: { $title }
event-moved = 시간 변경: { $title }
event-extended = 시간 연장: { $title }
event-shortened = 시간 단축: { $title }
event-renamed = 제목 변경: { $before } → { $after }
event-place-moved = 장소 변경: { $title } → { $place }
event-place-removed = 장소 없음: { $title }
event-tentative = 미정으로 바뀜: { $title }
event-confirmed = 확정됨: { $title }
event-status = 상태 { $status }: { $title }
event-accepted = 참석 수락: { $title }
event-declined = 참석 거절: { $title }
event-maybe = 참석 미정: { $title }
event-needs-reply = 회신 필요: { $title }
event-details = 세부정보 변경: { $title }
event-all-day = 종일 일정으로 바뀜: { $title }
event-timed = 시간이 정해짐: { $title }
event-replies = { $title }: { $replies }
event-reply = { $title }: { $replies }
series-stopped = 반복 해제: { $title }
series-started = 반복 시작: { $title }
series-endless = 종료 없이 반복: { $title }
series-ends = 반복 종료 { $day }: { $title }
series-reshaped = 반복 규칙 변경: { $title }

## 본문
quoted = ‘{ $title }’
change-arrow = { $before } → { $after }
all-day-side = { $span }, 종일
side-title = 새 제목 { $title }
side-place = 장소 { $place }
side-no-place = 장소 없음
side-status = 상태 { $status }
side-accepted = 참석 수락
side-declined = 참석 거절
side-maybe = 참석 미정
side-needs-reply = 회신 필요
side-details = 세부정보 변경
side-repeats = 이제 { $rule }
side-no-repeat = 반복 해제
span-times = { $start }~{ $end }
span-days = { $start } ~ { $end }
body-parts = { $first } · { $rest }

## 요약과 모아보기
summary = { $calendar }에서 { $count }건 변경
summary-away = 자리를 비운 동안 { $calendar }에서 { $count }건 변경
digest = 자리를 비운 동안: 캘린더 { $calendars }개에서 { $count }건 변경
and-more = 외 { $count }건

## 계정에 새로 공유된 캘린더 (이름은 Google의 것이며 번역하지 않음)
new-calendar = 새 캘린더: { $calendar } — 알림을 받을까요?
new-calendar-body = { $account } 계정의 캘린더 목록에 추가되었습니다. 캘린더 화면에서 알림을 켤 수 있습니다.

## Buttons on a toast, where the notification server shows them
toast-action-open = 열기
toast-action-join = 참가
toast-action-watch = 지켜보기
## Pressing Watch on a new calendar's toast did not work; the body is the reason
toast-watch-failed = { $calendar } 캘린더를 지켜볼 수 없습니다

## 반복 규칙
rule-none = 반복 안 함
rule-daily = { $interval ->
    [1] 매일
   *[other] { $interval }일마다
}
rule-weekly = { $interval ->
    [1] 매주
   *[other] { $interval }주마다
}
rule-monthly = { $interval ->
    [1] 매월
   *[other] { $interval }개월마다
}
rule-yearly = { $interval ->
    [1] 매년
   *[other] { $interval }년마다
}
rule-on = { $rule } { $on }
rule-month-day = { $days }
month-day = { $n }일
rule-count = { $rule }, { $count }회
rule-until = { $rule }, { $date }까지
rule-and = { $first } 및 { $second }
list-and = { $first }, { $second }
weekday = { $day ->
    [mon] 월요일
    [tue] 화요일
    [wed] 수요일
    [thu] 목요일
    [fri] 금요일
    [sat] 토요일
   *[sun] 일요일
}
nth-weekday = { $n ->
    [1] 첫째 주 { $day }
    [2] 둘째 주 { $day }
    [3] 셋째 주 { $day }
    [4] 넷째 주 { $day }
    [5] 다섯째 주 { $day }
    [-1] 마지막 주 { $day }
   *[other] 끝에서 둘째 주 { $day }
}
nth-weekday-from-last = 끝에서 { $n }번째 주 { $day }
month-day-last = 마지막 날
month-day-from-last = 끝에서 { $n }번째 날

## 알림 없이 기록된 까닭 (활동 목록)
silence-muted-calendar = 음소거된 캘린더
silence-kind-off = 이 캘린더에서 꺼 둔 종류의 변경
silence-too-far-ahead = 캘린더에 정한 날수보다 먼 일정
silence-declined-event = 거절한 일정
silence-only-attendee = 다른 참석자 없음
silence-guest-replies = 참석자 응답 알림 꺼짐
silence-quiet-hours = 방해 금지 시간
silence-paused = 일시 중지됨

## Google이 주소로 이름 붙인 계정의 기본 캘린더
primary-calendar = 기본 캘린더

## 다른 참석자의 응답, 쉼표로 이어짐
guest-accepted = { $name } 수락
guest-declined = { $name } 거절
guest-maybe = { $name } 미정
