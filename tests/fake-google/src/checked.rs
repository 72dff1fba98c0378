//! [`Control`]'s event calls that answer with an error instead of panicking, for callers
//! acting on what a person saw a moment ago (the app's sandbox panel): an event deleted
//! meanwhile is a normal outcome there, not a broken test.

use serde_json::Value;

use crate::control::Control;
use crate::state::ModelError;

/// Why a checked control call changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// No calendar with this id.
    UnknownCalendar(String),
    /// No event with this id in the calendar.
    UnknownEvent(String),
    /// Refused for another reason (a taken id, a body that is not an object); says why.
    Refused(String),
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlError::UnknownCalendar(id) => write!(f, "no calendar with id {id}"),
            ControlError::UnknownEvent(id) => write!(f, "no event with id {id}"),
            ControlError::Refused(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ControlError {}

impl From<ModelError> for ControlError {
    fn from(err: ModelError) -> Self {
        match err {
            ModelError::UnknownCalendar(id) => ControlError::UnknownCalendar(id),
            ModelError::UnknownEvent(id) => ControlError::UnknownEvent(id),
            other => ControlError::Refused(other.to_string()),
        }
    }
}

impl Control {
    /// [`Control::insert_event`], failing instead of panicking.
    pub fn checked_insert_event(
        &self,
        calendar_id: &str,
        event: Value,
    ) -> Result<Value, ControlError> {
        Ok(self.try_insert_event(calendar_id, event)?)
    }

    /// [`Control::update_event`], failing instead of panicking.
    pub fn checked_update_event(
        &self,
        calendar_id: &str,
        event_id: &str,
        patch: Value,
    ) -> Result<Value, ControlError> {
        Ok(self.try_update_event(calendar_id, event_id, patch)?)
    }

    /// [`Control::delete_event`], failing instead of panicking.
    pub fn checked_delete_event(
        &self,
        calendar_id: &str,
        event_id: &str,
    ) -> Result<(), ControlError> {
        Ok(self.try_delete_event(calendar_id, event_id)?)
    }

    /// [`Control::events`], failing instead of panicking.
    pub fn checked_events(&self, calendar_id: &str) -> Result<Vec<Value>, ControlError> {
        Ok(self.try_events(calendar_id)?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ControlError;
    use crate::{FakeGoogle, Options};

    #[tokio::test]
    async fn an_unknown_event_or_calendar_is_an_error_not_a_panic() {
        let fake = FakeGoogle::start(Options::default()).await.unwrap();
        let control = fake.control();
        let primary = control.user_email();
        assert_eq!(
            control.checked_update_event(&primary, "gone", json!({"summary": "x"})),
            Err(ControlError::UnknownEvent("gone".into())),
            "an event deleted meanwhile is reported, not panicked on"
        );
        assert_eq!(
            control.checked_delete_event(&primary, "gone"),
            Err(ControlError::UnknownEvent("gone".into()))
        );
        assert_eq!(
            control.checked_events("nowhere"),
            Err(ControlError::UnknownCalendar("nowhere".into()))
        );
        let created = control
            .checked_insert_event(&primary, json!({"summary": "Lunch"}))
            .expect("a known calendar takes the event");
        assert_eq!(created["summary"], json!("Lunch"));
        assert_eq!(
            control.checked_insert_event("nowhere", json!({"summary": "x"})),
            Err(ControlError::UnknownCalendar("nowhere".into()))
        );
    }
}
