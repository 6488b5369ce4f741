//! Appointments through the wrapper against the mock on loopback: a window of the
//! calendar (not paginated), scheduling with a customer and with someone else,
//! confirming and canceling; refusals typed; a schedule whose answer is lost is not
//! sent twice.

use std::num::NonZeroU32;

use crate::common::{client_for, mock, requests_to};
use chrono::{DateTime, Duration, TimeZone, Utc};
use mijnklantportaal::{AppointmentId, AppointmentStatus, CustomerId, Error};
use reqwest::Method;

fn days(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("not zero")
}

/// 2025-12-29 09:00 in the Netherlands (three days before the mock's clock starts):
/// the first seeded appointment starts then, the next ones 3 or 4 days apart.
fn first_seeded() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 29, 8, 0, 0).unwrap()
}

#[tokio::test]
async fn a_window_lists_the_appointments_that_start_in_it() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let week = client
        .appointments()
        .list()
        .starting(first_seeded())
        .days(days(7))
        .await
        .expect("listed")
        .data;
    let starts: Vec<String> = week.iter().map(|a| a.starts_at.to_rfc3339()).collect();
    assert_eq!(
        starts,
        ["2025-12-29T09:00:00+01:00", "2026-01-01T09:00:00+01:00"],
        "the third starts exactly a week later: outside"
    );
    let month = client
        .appointments()
        .list()
        .starting(first_seeded())
        .days(days(31))
        .await
        .expect("listed")
        .data;
    assert_eq!(month.len(), 9, "every seeded appointment");
    assert!(
        month.windows(2).all(|w| w[0].starts_at <= w[1].starts_at),
        "by start"
    );
    let statuses: Vec<&AppointmentStatus> = month.iter().map(|a| &a.status).collect();
    for status in [
        AppointmentStatus::Scheduled,
        AppointmentStatus::Pending,
        AppointmentStatus::Canceled,
    ] {
        assert!(statuses.contains(&&status), "{status:?}");
    }
    let before = client
        .appointments()
        .list()
        .starting(first_seeded() - Duration::days(30))
        .days(days(30))
        .await
        .expect("listed")
        .data;
    assert!(before.is_empty());
    let query = server
        .requests()
        .into_iter()
        .find_map(|r| r.query)
        .expect("a query");
    assert_eq!(
        query, "days=7&start_at=2025-12-29+09%3A00",
        "to the minute, Dutch time"
    );
}

#[tokio::test]
async fn appointments_are_scheduled_confirmed_and_canceled() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let customer = client
        .customers()
        .get(CustomerId::from(
            server.dataset().customer(1).expect("a customer").id,
        ))
        .await
        .expect("a customer");
    let starts = Utc.with_ymd_and_hms(2026, 6, 1, 12, 30, 0).unwrap();

    let with_customer = client
        .appointments()
        .schedule()
        .name("Contract extension")
        .customer_id(&customer.id)
        .starts_at(starts)
        .ends_at(starts + Duration::minutes(90))
        .await
        .expect("scheduled");
    assert_eq!(with_customer.status, AppointmentStatus::Scheduled);
    assert_eq!(
        with_customer.customer_id.as_deref(),
        Some(customer.id.as_str())
    );
    assert_eq!(
        with_customer.attendee_email.as_deref(),
        Some(customer.primary_email.as_str())
    );
    assert_eq!(
        with_customer.starts_at.to_rfc3339(),
        "2026-06-01T14:30:00+02:00"
    );
    assert!(with_customer.online_meeting_link.is_some());

    let with_attendee = client
        .appointments()
        .schedule()
        .name("Intake")
        .attendee_name("John Doe")
        .attendee_email("john.doe@example.com")
        .starts_at(starts + Duration::days(1))
        .ends_at(starts + Duration::days(1) + Duration::minutes(30))
        .await
        .expect("scheduled");
    assert_eq!(with_attendee.customer_id, None);
    assert_eq!(with_attendee.attendee_name.as_deref(), Some("John Doe"));

    let day = client
        .appointments()
        .list()
        .starting(starts - Duration::hours(1))
        .days(days(2))
        .await
        .expect("listed")
        .data;
    let ids: Vec<&str> = day.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [with_customer.id.as_str(), with_attendee.id.as_str()]);

    let canceled = client
        .appointments()
        .cancel(&with_attendee.id)
        .await
        .expect("canceled");
    assert_eq!(canceled.status, AppointmentStatus::Canceled);
    let again = client
        .appointments()
        .cancel(&with_attendee.id)
        .await
        .expect("same state");
    assert_eq!(again, canceled, "canceling twice is harmless");
    let confirmed = client
        .appointments()
        .confirm(&with_attendee.id)
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, AppointmentStatus::Scheduled);
    assert_eq!(
        client
            .appointments()
            .get(&with_attendee.id)
            .await
            .expect("found"),
        confirmed
    );

    // A pending seeded appointment is confirmed and gets a meeting link.
    let seeded = client
        .appointments()
        .list()
        .starting(first_seeded())
        .days(days(31))
        .await
        .expect("listed")
        .data;
    let pending = seeded
        .iter()
        .find(|a| a.status == AppointmentStatus::Pending)
        .expect("a pending one");
    assert_eq!(pending.online_meeting_link, None);
    let confirmed = client
        .appointments()
        .confirm(&pending.id)
        .await
        .expect("confirmed");
    assert!(confirmed.online_meeting_link.is_some());

    // A lost answer to a status change is retried: the same value again.
    server.drop_next_write_responses(1);
    let retried = client
        .appointments()
        .cancel(&pending.id)
        .await
        .expect("retried");
    assert_eq!(retried.status, AppointmentStatus::Canceled);
}

#[tokio::test]
async fn refusals_and_missing_appointments_are_typed() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let starts = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let backwards = client
        .appointments()
        .schedule()
        .name("Backwards")
        .attendee_name("John Doe")
        .attendee_email("john.doe@example.com")
        .starts_at(starts)
        .ends_at(starts - Duration::minutes(30));
    match backwards.await.expect_err("ends first") {
        Error::Validation { errors, .. } => {
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["endsAt"], "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let stranger = client
        .appointments()
        .schedule()
        .name("Nobody")
        .customer_id(CustomerId::from("cst_doesnotexist00"))
        .starts_at(starts)
        .ends_at(starts + Duration::hours(1));
    match stranger.await.expect_err("no such customer") {
        Error::Validation { errors, .. } => assert!(errors.contains_key("customerId")),
        other => panic!("{other:?}"),
    }
    // A window of no days cannot be asked for: `days` is a `NonZeroU32`, so nothing is
    // sent.
    assert_eq!(NonZeroU32::new(0), None, "no window of no days");
    assert_eq!(server.stats().requests, 2, "refused before it was sent");
    for err in [
        client
            .appointments()
            .get(AppointmentId::from("apt_doesnotexist00"))
            .await
            .expect_err("missing"),
        client
            .appointments()
            .confirm(AppointmentId::from("apt_doesnotexist00"))
            .await
            .expect_err("missing"),
    ] {
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn a_schedule_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let starts = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).unwrap();
    server.drop_next_write_responses(1);
    let err = client
        .appointments()
        .schedule()
        .name("Sent once")
        .attendee_name("John Doe")
        .attendee_email("john.doe@example.com")
        .starts_at(starts)
        .ends_at(starts + Duration::hours(1))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert_eq!(requests_to(&server, Method::POST, "/v1/appointments"), 1);
    let day = client
        .appointments()
        .list()
        .starting(starts)
        .days(days(1))
        .await
        .expect("listed")
        .data;
    assert_eq!(day.len(), 1, "scheduled once");
}
