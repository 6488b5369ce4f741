//! Appointments: what the generated layer does not say by itself.
//!
//! The list is not paginated: one request answers every appointment of a window of
//! `days` days from a start (Dutch wall-clock time, to the minute), so it is not a
//! [`Lister`](crate::Lister). Times are given in any time zone and sent as the Dutch
//! wall-clock time the API wants (`.starts_at(Utc::now())`).

use std::borrow::Borrow;

use chrono::{DateTime, TimeZone};
use mijnklantportaal_api::types::{Appointment, AppointmentId, NewAppointmentStatus};

use crate::error::Error;
use mijnklantportaal_api::LocalDateTime;

use crate::resources::{Appointments, ListAppointments};

impl ListAppointments<'_> {
    /// The window starts at `start` (any time zone; sent as Dutch wall-clock time, to
    /// the minute). Without it, the server's default: now.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use std::num::NonZeroU32;
    ///
    /// let month = NonZeroU32::new(31).expect("not zero");
    /// let next_month = client.appointments().list().starting(chrono::Utc::now()).days(month).await?;
    /// for appointment in next_month.data {
    ///     println!("{} {:?} {}", appointment.starts_at, appointment.status, appointment.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn starting<Tz: TimeZone>(self, start: DateTime<Tz>) -> Self {
        let local = LocalDateTime::from(start);
        self.start_at(local.0.format("%Y-%m-%d %H:%M").to_string())
    }
}

impl Appointments<'_> {
    /// Confirms a pending appointment ([`set_status`](Self::set_status) `scheduled`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// client.appointments().confirm(mijnklantportaal::AppointmentId::from("apt_abc12346def678")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn confirm(&self, id: impl Borrow<AppointmentId>) -> Result<Appointment, Error> {
        self.set_status(id)
            .status(NewAppointmentStatus::Scheduled)
            .await
    }

    /// Cancels an appointment ([`set_status`](Self::set_status) `canceled`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// client.appointments().cancel(mijnklantportaal::AppointmentId::from("apt_abc12346def678")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel(&self, id: impl Borrow<AppointmentId>) -> Result<Appointment, Error> {
        self.set_status(id)
            .status(NewAppointmentStatus::Canceled)
            .await
    }
}
