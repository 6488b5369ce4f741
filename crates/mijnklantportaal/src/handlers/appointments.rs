//! Appointments: list a window of time, schedule, get, confirm or cancel.
//!
//! The list is not paginated: one request answers every appointment of a window of
//! `days` days from a start (Dutch wall-clock time, to the minute), so it is not a
//! [`Lister`](crate::Lister).
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get` | any transient failure |
//! | `set_status`, `confirm`, `cancel` (PATCH with one `status`) | any transient failure: sending it twice sets the same value |
//! | `schedule` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a schedule, the appointment may or may not exist: the
//! error is [`Error::MaybeApplied`]; list the window around its start to find out.

use std::num::NonZeroU32;

use chrono::{DateTime, TimeZone};
use futures::FutureExt;
use mijnklantportaal_api::types::{
    Appointment, AppointmentStatusChange, NewAppointment, NewAppointmentStatus,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;

/// The appointment endpoints; made by [`Client::appointments`].
#[derive(Debug, Clone, Copy)]
pub struct Appointments<'c> {
    client: &'c Client,
}

impl Client {
    /// The appointments in the portal's calendar.
    pub fn appointments(&self) -> Appointments<'_> {
        Appointments { client: self }
    }
}

impl Appointments<'_> {
    /// Every appointment of a window of time (the server's default: 7 days from now).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::AppointmentWindow;
    ///
    /// let next_month = AppointmentWindow::starting(chrono::Utc::now()).days(31);
    /// for appointment in client.appointments().list(next_month).await? {
    ///     println!("{} {:?} {}", appointment.starts_at, appointment.status, appointment.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list(&self, window: AppointmentWindow) -> Result<Vec<Appointment>, Error> {
        let days = match window.days {
            Some(days) => Some(NonZeroU32::new(days).ok_or_else(|| {
                Error::InvalidInput("an appointment window is at least one day long".to_string())
            })?),
            None => None,
        };
        let call = Call::of(operations::LIST_APPOINTMENTS);
        let list = self
            .client
            .inner
            .once(call, |api| {
                let mut request = api.list_appointments();
                if let Some(start) = &window.start {
                    request = request.start_at(start.clone());
                }
                if let Some(days) = days {
                    request = request.days(days);
                }
                request.send().boxed()
            })
            .await?;
        Ok(list.data)
    }

    /// One appointment (`apt_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let appointment = client.appointments().get("apt_abc12346def678").await?;
    /// println!("{} to {}", appointment.starts_at, appointment.ends_at);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Appointment, Error> {
        let call = Call::of(operations::GET_APPOINTMENT);
        self.client
            .inner
            .once(call, |api| {
                api.get_appointment().appointment_id(id).send().boxed()
            })
            .await
    }

    /// Schedules an appointment. Sent at most once unless the server provably did not
    /// process it; an ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::{Duration, Utc};
    /// use mijnklantportaal::AppointmentRequest;
    ///
    /// let starts = Utc::now() + Duration::days(2);
    /// let request = AppointmentRequest::with_customer(
    ///     "Contract extension",
    ///     "cst_abc12345def678",
    ///     starts,
    ///     starts + Duration::minutes(90),
    /// );
    /// let appointment = client.appointments().schedule(request).await?;
    /// println!("{:?}", appointment.online_meeting_link);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn schedule(&self, request: AppointmentRequest) -> Result<Appointment, Error> {
        let body = request.body;
        let call = Call::of(operations::SCHEDULE_APPOINTMENT)
            .check("list the window around its start (`appointments().list(..)`) and look for it");
        self.client
            .inner
            .once(call, |api| {
                api.schedule_appointment().body(body.clone()).send().boxed()
            })
            .await
    }

    /// Sets the status of an appointment (`scheduled` confirms a pending one,
    /// `canceled` cancels it). Safe to retry: the same value twice.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::NewAppointmentStatus;
    ///
    /// let appointment = client
    ///     .appointments()
    ///     .set_status("apt_abc12346def678", NewAppointmentStatus::Scheduled)
    ///     .await?;
    /// println!("{:?}", appointment.status);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_status(
        &self,
        id: &str,
        status: NewAppointmentStatus,
    ) -> Result<Appointment, Error> {
        let body = AppointmentStatusChange { status };
        let call = Call::of(operations::CHANGE_APPOINTMENT_STATUS);
        self.client
            .inner
            .once(call, |api| {
                api.change_appointment_status()
                    .appointment_id(id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Confirms a pending appointment ([`set_status`](Self::set_status) `scheduled`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// client.appointments().confirm("apt_abc12346def678").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn confirm(&self, id: &str) -> Result<Appointment, Error> {
        self.set_status(id, NewAppointmentStatus::Scheduled).await
    }

    /// Cancels an appointment ([`set_status`](Self::set_status) `canceled`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// client.appointments().cancel("apt_abc12346def678").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel(&self, id: &str) -> Result<Appointment, Error> {
        self.set_status(id, NewAppointmentStatus::Canceled).await
    }
}

/// The window of time [`Appointments::list`] answers for: `days` days from a start.
/// The default is the server's: 7 days from now.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use mijnklantportaal::AppointmentWindow;
///
/// // 07:00 UTC on a June day is 09:00 in the Netherlands.
/// let window = AppointmentWindow::starting(Utc.with_ymd_and_hms(2025, 6, 2, 7, 0, 0).unwrap()).days(5);
/// assert_eq!(window.start_at(), Some("2025-06-02 09:00"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentWindow {
    start: Option<String>,
    days: Option<u32>,
}

impl AppointmentWindow {
    /// A window from `start` (any time zone; sent as Dutch wall-clock time, to the
    /// minute, as the API wants it).
    pub fn starting<Tz: TimeZone>(start: DateTime<Tz>) -> Self {
        let local = crate::amsterdam::local_time(&start);
        AppointmentWindow {
            start: Some(local.0.format("%Y-%m-%d %H:%M").to_string()),
            days: None,
        }
    }

    /// The window's length in days (the server's default is 7; 0 is refused).
    pub fn days(mut self, days: u32) -> Self {
        self.days = Some(days);
        self
    }

    /// The start as sent in `start_at` (`YYYY-mm-dd HH:ii`), if set.
    pub fn start_at(&self) -> Option<&str> {
        self.start.as_deref()
    }
}

/// An appointment to schedule with [`Appointments::schedule`]: with a customer of the
/// portal, or with someone else.
#[derive(Debug, Clone)]
pub struct AppointmentRequest {
    body: NewAppointment,
}

impl AppointmentRequest {
    /// An appointment called `name` with the customer `customer_id` (`cst_...`), from
    /// `starts_at` to `ends_at` (any time zone; sent as Dutch wall-clock time).
    pub fn with_customer<Tz: TimeZone>(
        name: impl Into<String>,
        customer_id: impl Into<String>,
        starts_at: DateTime<Tz>,
        ends_at: DateTime<Tz>,
    ) -> Self {
        let mut request = Self::at(name.into(), &starts_at, &ends_at);
        request.body.customer_id = Some(customer_id.into());
        request
    }

    /// An appointment called `name` with someone who is not a customer of the portal.
    pub fn with_attendee<Tz: TimeZone>(
        name: impl Into<String>,
        attendee_name: impl Into<String>,
        attendee_email: impl Into<String>,
        starts_at: DateTime<Tz>,
        ends_at: DateTime<Tz>,
    ) -> Self {
        let mut request = Self::at(name.into(), &starts_at, &ends_at);
        request.body.attendee_name = Some(attendee_name.into());
        request.body.attendee_email = Some(attendee_email.into());
        request
    }

    /// `name` from `starts_at` to `ends_at` (sent as Dutch wall-clock time), with
    /// nobody yet.
    fn at<Tz: TimeZone>(name: String, starts_at: &DateTime<Tz>, ends_at: &DateTime<Tz>) -> Self {
        AppointmentRequest {
            body: NewAppointment {
                name,
                customer_id: None,
                attendee_name: None,
                attendee_email: None,
                starts_at: crate::amsterdam::local_time(starts_at),
                ends_at: crate::amsterdam::local_time(ends_at),
            },
        }
    }

    /// The body as it is sent.
    pub fn body(&self) -> &NewAppointment {
        &self.body
    }
}
