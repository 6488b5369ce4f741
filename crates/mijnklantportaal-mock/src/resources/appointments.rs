//! Appointments API: the calendar, by window of time (not paginated); schedule,
//! confirm, cancel. Scheduling takes a customer (whose name and e-mail become the
//! attendee's) or an attendee, and gives the appointment an online meeting link.

use chrono::{Duration, NaiveDateTime};

use super::prelude::*;
use crate::resources::customers::MockCustomer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Scheduled,
    Canceled,
    /// Waiting to be confirmed or canceled (booked by a customer).
    Pending,
}

type Time = DateTime<FixedOffset>;

const SEEDED: u64 = 9;
/// 2025-12-29 09:00, a Monday: some seeded appointments are past, two in the default window.
const SEEDED_FROM: i64 = crate::clock::ORIGIN - 3 * 86_400 + 9 * 3_600;
const NAMES: &str = "John Doe|Anna de Vries|Pieter Bakker|Sanne Jansen";
const EMAILS: &str =
    "john.doe@example.com|anna@devries.example|p.bakker@example.nl|sanne.jansen@example.org";

// Random streams of appointments.
const IDS: u64 = 0xA99_0001;
const BOOKED: u64 = 0xA99_0002;

/// One appointment, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockAppointment {
    pub(crate) id: String,
    /// The calendar title (not in the documented answer).
    #[serde(skip)]
    pub(crate) name: String,
    pub(crate) customer_id: Option<String>,
    pub(crate) attendee_name: String,
    pub(crate) attendee_email: String,
    pub(crate) starts_at: Time,
    pub(crate) ends_at: Time,
    pub(crate) status: Status,
    pub(crate) online_meeting_link: Option<String>,
    pub(crate) created_at: Time,
}

/// The online meeting link of the appointment `id` (made from its random part).
fn meeting_link(id: &str) -> String {
    let code = |range| id.get(range).unwrap_or_default();
    let (a, b, c) = (code(4..7), code(7..11), code(11..14));
    format!("https://meet.google.com/{a}-{b}-{c}")
}

// Two a week from SEEDED_FROM, each booked a week ahead.
record!(MockAppointment, "Appointment", |config| {
    let (dataset, seed) = (config.dataset, config.dataset.seed());
    Seeded::new(IdCodec::new("apt_", seed, IDS), SEEDED, move |index, id| {
        let starts_at = dutch_time::at(SEEDED_FROM + i64::try_from(index).ok()? * 7 / 2 * 86_400)?;
        let status = match index {
            i if i % 5 == 4 => Status::Canceled,
            i if i % 4 == 3 => Status::Pending,
            _ => Status::Scheduled,
        };
        let customer = (index % 3 == 0).then(|| dataset.customer(index)).flatten();
        let (attendee_name, attendee_email) = match &customer {
            Some(c) => (c.company_name.clone(), c.primary_email.clone()),
            None => (pick(NAMES, index), pick(EMAILS, index)),
        };
        let booked = Duration::seconds((draw(seed, BOOKED, index) % 3_600) as i64);
        Some(MockAppointment {
            online_meeting_link: (status == Status::Scheduled).then(|| meeting_link(&id)),
            id,
            name: format!("Meeting {}", index + 1),
            customer_id: customer.map(|c| c.id),
            attendee_name,
            attendee_email,
            starts_at,
            ends_at: starts_at + Duration::minutes(if index % 2 == 0 { 60 } else { 90 }),
            status,
            created_at: starts_at - Duration::days(7) + booked,
        })
    })
});

/// `GET /v1/appointments?start_at=&days=`: `{data: [...]}` of the window.
pub(crate) async fn list(call: &Call<'_>, _body: Body) -> Reply {
    let query: Input = ["start_at", "days"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), requests::query(call.parts, name)?.into())))
        .collect();
    let (start, end) = window(&query, call.now()?).map_err(|e| call.unprocessable(&e))?;
    let mut found: Vec<_> = call.with(|t: &mut Table<MockAppointment>| t.all().collect());
    found.retain(|a| (start..end).contains(&a.starts_at));
    found.sort_by_key(|a| a.starts_at);
    call.ok_json(serde_json::to_vec(&serde_json::json!({ "data": found })))
}

/// The window of a list request: `start_at` (`Y-m-d H:i`, Dutch time; default `now`)
/// and `days` (1 to 366, default 7) later. A parameter sent empty fails its rule.
fn window(query: &Input, now: Time) -> Result<(Time, Time), Errors> {
    let mut errors = Errors::default();
    let start = query.get("start_at").map_or(Some(now), |text| {
        let local = NaiveDateTime::parse_from_str(text.as_str()?.trim(), "%Y-%m-%d %H:%M");
        validation::amsterdam(local.ok()?)
    });
    if start.is_none() {
        let message = "The start at field must match the format Y-m-d H:i.";
        errors.add("start_at", message.to_owned());
    }
    let days = match query.contains_key("days") {
        true => validation::integer(&mut errors, query, "days", (1, 366)),
        false => Some(7),
    };
    match (start, days) {
        (Some(start), Some(days)) if errors.is_empty() => Ok((start, start + Duration::days(days))),
        _ => Err(errors),
    }
}

pub(crate) async fn schedule(call: &Call<'_>, body: Body) -> Reply {
    let input = call.json(body).await?;
    let customer = input::text(&input, "customerId")
        .and_then(|id| call.with(|t: &mut Table<MockCustomer>| t.find(&id)));
    let appointment = call.insert(|slot| new_appointment(&input, slot, customer))?;
    call.written(StatusCode::CREATED, &appointment)
}

/// `PATCH /v1/appointments/{appointmentId}` (JSON `{status}`: confirm or cancel).
pub(crate) async fn set_status(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, |a: &mut MockAppointment, input| {
        let status = input::text(input, "status").ok_or_else(server_error)?;
        a.status = match status.as_str() {
            "scheduled" => Status::Scheduled,
            _ => Status::Canceled,
        };
        if a.status == Status::Scheduled && a.online_meeting_link.is_none() {
            a.online_meeting_link = Some(meeting_link(&a.id));
        }
        Ok(())
    })
    .await
}

/// The appointment a valid create asks for (the attendee: `customer`, if named).
fn new_appointment(
    input: &Input,
    slot: Slot,
    customer: Option<MockCustomer>,
) -> Option<MockAppointment> {
    let customer_id = input::text(input, "customerId");
    let attendee = |field| input::text(input, field);
    let (attendee_name, attendee_email) = match customer_id {
        Some(_) => customer.map(|c| (c.company_name, c.primary_email))?,
        None => (attendee("attendeeName")?, attendee("attendeeEmail")?),
    };
    Some(MockAppointment {
        online_meeting_link: Some(meeting_link(&slot.id)),
        id: slot.id,
        name: input::text(input, "name")?,
        customer_id,
        attendee_name,
        attendee_email,
        starts_at: input::local_time(input, "startsAt")?,
        ends_at: input::local_time(input, "endsAt")?,
        status: Status::Scheduled,
        created_at: slot.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::json;

    fn validate(body: serde_json::Value) -> Result<MockAppointment, Errors> {
        let errors = json_errors("schedule-appointment", body.clone());
        if !errors.is_empty() {
            return Err(errors);
        }
        let customer = Dataset::new(1, 8).customer(0).map(|c| MockCustomer {
            company_name: "Test Company BV".to_owned(),
            ..c
        });
        let customer = customer.filter(|_| body.get("customerId").is_some());
        Ok(new_appointment(&input(body), Slot::example(), customer).unwrap())
    }

    #[test]
    fn with_a_customer_or_an_attendee_with_or_without_seconds() {
        let with_customer = validate(json!({
            "name": "Contract extension", "startsAt": "2025-03-05 14:30:00",
            "endsAt": "2025-03-05 16:00", "customerId": "cst_1"
        }))
        .unwrap();
        assert_eq!(with_customer.attendee_name, "Test Company BV");
        assert_eq!(
            dutch_time::atom(&with_customer.starts_at),
            "2025-03-05T14:30:00+01:00"
        );
        let with_attendee = validate(json!({
            "name": "Intake", "startsAt": "2025-07-01 10:00", "endsAt": "2025-07-01 10:30",
            "attendeeName": "John Doe", "attendeeEmail": "john.doe@example.com"
        }))
        .unwrap();
        assert_eq!(with_attendee.customer_id, None);
        assert_eq!(
            dutch_time::atom(&with_attendee.ends_at),
            "2025-07-01T10:30:00+02:00"
        );
    }

    #[test]
    fn refusals_are_laravels() {
        let errors = validate(json!({
            "startsAt": "2025-03-05 14:30", "endsAt": "2025-03-05 14:00"
        }))
        .unwrap_err();
        assert_eq!(
            errors.fields(),
            ["name", "endsAt", "attendeeName", "attendeeEmail"]
        );
        assert_eq!(
            errors.message(),
            "The name field is required. (and 3 more errors)"
        );
        let errors = validate(json!({
            "name": "x", "startsAt": "2025-03-05 14:30", "endsAt": "2025-03-05 14:00",
            "customerId": "cst_1"
        }))
        .unwrap_err();
        assert_eq!(
            errors.message(),
            "The ends at field must be a date after starts at."
        );
        let errors = validate(json!({}));
        let errors = errors.unwrap_err();
        let bag = errors.message();
        assert!(bag.starts_with("The name field is required."), "{bag}");
        let errors = validate(json!({
            "name": "x", "startsAt": "2025-03-05 14:30", "endsAt": "2025-03-05 15:00",
        }))
        .unwrap_err();
        assert_eq!(
            errors.message(),
            "The attendee name field is required when customer id is not present. (and 1 more error)"
        );
        let errors = validate(json!({
            "name": "x", "startsAt": "05-03-2025 14:30", "endsAt": "2025-03-05 15:00",
            "customerId": "cst_nope"
        }))
        .unwrap_err();
        assert_eq!(errors.fields(), ["startsAt", "customerId"]);
        assert_eq!(
            errors.message(),
            "The starts at field must match the format Y-m-d H:i. (and 1 more error)"
        );
    }

    #[test]
    fn the_window_is_start_at_plus_days() {
        let now = dutch_time::at(crate::clock::ORIGIN).unwrap();
        let query = input(json!({"start_at": "2025-03-05 09:00", "days": "3"}));
        let (start, end) = window(&query, now).unwrap();
        assert_eq!(dutch_time::atom(&start), "2025-03-05T09:00:00+01:00");
        assert_eq!(dutch_time::atom(&end), "2025-03-08T09:00:00+01:00");
        let query = input(json!({"start_at": "2025-03-05 09:00:00", "days": "0"}));
        let errors = window(&query, now).unwrap_err();
        assert_eq!(
            errors.message(),
            "The start at field must match the format Y-m-d H:i. (and 1 more error)"
        );
        let (start, end) = window(&input(json!({})), now).unwrap();
        assert_eq!(dutch_time::atom(&start), "2026-01-01T00:00:00+01:00", "now");
        assert_eq!(dutch_time::atom(&end), "2026-01-08T00:00:00+01:00");
        let errors = window(&input(json!({"start_at": "", "days": ""})), now).unwrap_err();
        assert_eq!(errors.fields(), ["start_at", "days"]);
        assert_eq!(
            errors.message(),
            "The start at field must match the format Y-m-d H:i. (and 1 more error)"
        );
    }

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        let at = |unix| dutch_time::at(unix).unwrap();
        let appointment = MockAppointment {
            id: "apt_1".to_owned(),
            name: "Contract extension".to_owned(),
            customer_id: None,
            attendee_name: "John Doe".to_owned(),
            attendee_email: "john.doe@example.com".to_owned(),
            starts_at: at(1_741_186_800),
            ends_at: at(1_741_188_600),
            status: Status::Pending,
            online_meeting_link: None,
            created_at: at(1_741_105_394),
        };
        assert_eq!(
            serde_json::to_string(&appointment).unwrap(),
            r#"{"id":"apt_1","customerId":null,"attendeeName":"John Doe","attendeeEmail":"john.doe@example.com","startsAt":"2025-03-05T16:00:00+01:00","endsAt":"2025-03-05T16:30:00+01:00","status":"pending","onlineMeetingLink":null,"createdAt":"2025-03-04T17:23:14+01:00"}"#
        );
    }
}
