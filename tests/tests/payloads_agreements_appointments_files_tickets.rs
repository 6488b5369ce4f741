//! The vendor's documented payloads of Agreements, Appointments, Files, File Request,
//! File Share and Tickets (tests/fixtures/documented/README.md), decoded and encoded
//! with the generated types.

use mijnklantportaal_api::LocalDateTime;
use mijnklantportaal_api::types::{
    AgreementStatus, AgreementWithDetails, AppointmentList, AppointmentStatus,
    AppointmentStatusChange, CloudFile, FileOrDirectory, FileOrDirectoryType, FileRequestPage,
    FileSharePage, NewAppointment, NewAppointmentStatus, NewFileRequest, NewFileShare,
    NewRequestedFile, NewTicketMessage, TicketPage, TicketSource, TicketStatus, TicketWithMessages,
};
use serde_json::{Value, json};

fn documented(name: &str) -> String {
    let path = xtask::workspace_root()
        .join("tests/fixtures/documented")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn documented_json(name: &str) -> Value {
    serde_json::from_str(&documented(name)).expect("the fixture is JSON")
}

/// list-ticket-records: the simple paginator of tickets, without messages.
#[test]
fn decodes_the_ticket_list() {
    let page: TicketPage =
        serde_json::from_str(&documented("list-ticket-records.json")).expect("decodes");
    assert_eq!(
        page.next_page_url.as_deref(),
        Some("https://api.mijnklantportaal.nl/v1/tickets?page=2,")
    );
    let ticket = &page.data[0];
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(ticket.source, Some(TicketSource::Portal));
    assert_eq!(ticket.customer_id.as_deref(), Some("cst_abc12354678"));
    assert_eq!(ticket.created_at.offset().local_minus_utc(), 2 * 3600);
}

/// get-ticket-record (and, with the same example, add-message, close-ticket and
/// upload-attachment): the ticket with its messages and their attachments.
#[test]
fn decodes_a_ticket_with_its_messages() {
    let ticket: TicketWithMessages =
        serde_json::from_str(&documented("get-ticket-record.json")).expect("decodes");
    assert_eq!(ticket.title.as_deref(), Some("Invoice issue"));
    // The close-ticket page shows this very body, still `open` (§6).
    assert_eq!(ticket.status, TicketStatus::Open);
    let message = &ticket.messages[0];
    assert_eq!(message.id, "tim_abc12345def678");
    assert_eq!(message.is_posted_by_customer, Some(true));
    assert_eq!(
        message.message.as_deref(),
        Some("<p>Hello, help me with my invoice please</p>")
    );
    assert_eq!(message.posted_at.to_rfc3339(), "2024-04-29T21:00:00+02:00");
    let attachment = &message.attachments[0];
    assert_eq!(
        (
            attachment.id.as_str(),
            attachment.size,
            attachment.mime.as_deref()
        ),
        ("tma_abc12345def678", Some(1256), Some("image/png"))
    );
    // A live-chat ticket without a customer, and a status the spec does not know yet.
    let chat: TicketWithMessages = serde_json::from_value(json!({
        "id": "tic_1", "customerId": null, "source": "chat", "status": "archived",
        "createdAt": "2024-01-01T09:00:00+01:00"
    }))
    .expect("decodes");
    assert_eq!(chat.source, Some(TicketSource::Chat));
    assert_eq!(chat.status, TicketStatus::Unknown("archived".to_string()));
    assert!(chat.messages.is_empty());
}

/// add-message-to-the-ticket's request body.
#[test]
fn encodes_a_ticket_reply() {
    let body = NewTicketMessage {
        message: "<p>We will look into it!</p>".to_string(),
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        documented_json("add-message-to-the-ticket.request.json")
    );
}

/// list-appointments: `{data: [...]}`, not the paginator (and get-appointment's body).
#[test]
fn decodes_the_appointment_list() {
    let list: AppointmentList =
        serde_json::from_str(&documented("list-appointments.json")).expect("decodes");
    let appointment = &list.data[0];
    assert_eq!(appointment.status, AppointmentStatus::Scheduled);
    assert_eq!(
        appointment.starts_at.to_rfc3339(),
        "2025-03-05T16:00:00+02:00"
    );
    assert_eq!(
        appointment.online_meeting_link.as_deref(),
        Some("https://meet.google.com/abc-123")
    );
    assert!(
        serde_json::from_str::<mijnklantportaal_api::types::CustomerPage>(&documented(
            "list-appointments.json"
        ))
        .is_err(),
        "no paginator fields"
    );
    let pending: mijnklantportaal_api::types::Appointment = serde_json::from_value(json!({
        "id": "apt_1", "customerId": null, "attendeeName": "A", "attendeeEmail": "a@b.nl",
        "startsAt": "2025-03-05T16:00:00+01:00", "endsAt": "2025-03-05T17:00:00+01:00",
        "status": "pending", "onlineMeetingLink": null, "createdAt": "2025-03-01T10:00:00+01:00"
    }))
    .expect("decodes");
    assert_eq!(pending.status, AppointmentStatus::Pending);
    assert_eq!(pending.online_meeting_link, None);
}

/// schedule-appointment and change-appointment-status: the documented request bodies,
/// the date-times with seconds as the examples have them.
#[test]
fn encodes_the_appointment_requests() {
    let at = |text: &str| text.parse::<LocalDateTime>().expect("a date-time");
    let body = NewAppointment {
        name: "Contract extension".to_string(),
        starts_at: at("2025-03-05 14:30:00"),
        ends_at: at("2025-03-05 16:00:00"),
        customer_id: Some("cst_abcde123fgh".to_string()),
        attendee_name: Some("John Doe".to_string()),
        attendee_email: Some("johndoe@example.com".to_string()),
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        documented_json("schedule-appointment.request.json")
    );
    let change = AppointmentStatusChange {
        status: NewAppointmentStatus::Scheduled,
    };
    assert_eq!(
        serde_json::to_value(&change).unwrap(),
        documented_json("change-appointment-status.request.json")
    );
}

/// get-agreement (and create-agreement's answer): signers and documents.
#[test]
fn decodes_an_agreement_with_details() {
    let agreement: AgreementWithDetails =
        serde_json::from_str(&documented("get-agreement.json")).expect("decodes");
    assert_eq!(agreement.status, AgreementStatus::Sent);
    let signer = &agreement.signers[0];
    assert_eq!(signer.first_name.as_deref(), Some("Dirk Jan"));
    assert_eq!(signer.should_identify, Some(true));
    assert_eq!(
        signer.signed_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-09-13T17:23:14+02:00")
    );
    let document = &agreement.documents[0];
    assert_eq!(
        document.document_name.as_deref(),
        Some("Contract version_2.pdf")
    );
    assert_eq!(document.file_size, Some(512));
    // A signer who has not signed yet has nothing to show.
    let waiting: mijnklantportaal_api::types::AgreementSigner = serde_json::from_value(json!({
        "id": "ags_1", "firstName": "A", "lastName": "B", "email": "a@b.nl",
        "shouldIdentify": false, "signature": null, "signatureHash": null, "signedAt": null
    }))
    .expect("decodes");
    assert_eq!(waiting.signed_at, None);
}

/// download-agreement-document and download-file answer the same example as the invoice
/// PDF page: a link, and when it expires.
#[test]
fn decodes_the_download_links() {
    let link: CloudFile =
        serde_json::from_str(&documented("get-customer-invoice-pdf.json")).expect("decodes");
    assert_eq!(link.link, "https://...");
    assert_eq!(link.expires_at.to_rfc3339(), "2025-04-29T21:00:00+02:00");
}

/// get-file-or-directory (and post-files' answer); a directory has no size or type.
#[test]
fn decodes_files_and_directories() {
    let file: FileOrDirectory =
        serde_json::from_str(&documented("get-file-or-directory.json")).expect("decodes");
    assert_eq!(file.type_, FileOrDirectoryType::File);
    assert_eq!(
        (file.size, file.mime.as_deref()),
        (Some(1284), Some("application/pdf"))
    );
    assert_eq!(file.file_share_id.as_deref(), Some("fss_abc12345678"));
    let directory: FileOrDirectory = serde_json::from_value(json!({
        "id": "fsd_abc12345678", "type": "directory", "name": "Contracts", "size": null,
        "mime": null, "fileShareId": null, "createdAt": "2024-04-29T21:00:00+02:00"
    }))
    .expect("decodes");
    assert_eq!(directory.type_, FileOrDirectoryType::Directory);
    assert_eq!((directory.size, directory.mime), (None, None));
}

/// list-file-requests (and get- and create-file-request's answer), placeholder link
/// types included; create-file-request's request body.
#[test]
fn decodes_and_encodes_file_requests() {
    let page: FileRequestPage =
        serde_json::from_str(&documented("list-file-requests.json")).expect("decodes");
    let request = &page.data[0];
    assert_eq!(request.name, "Contract renewal");
    assert!(request.completed_at.is_some());
    let wanted = &request.requested_files[0];
    assert_eq!(
        (wanted.required, wanted.max_file_size),
        (Some(true), Some(10240))
    );
    assert_eq!(wanted.uploaded_file_id.as_deref(), Some("fsf_abc123456789"));
    let links = request.links.as_ref().expect("links");
    assert_eq!(
        links.public_request.as_ref().map(|l| l.href.as_str()),
        Some("<string>")
    );
    assert_eq!(
        links.customer.as_ref().map(|l| l.type_.as_str()),
        Some("<string>")
    );

    let logo: NewRequestedFile = NewRequestedFile::builder()
        .name("Logo")
        .description(Some("The logo we should put on your website".to_string()))
        .required(Some(true))
        .max_file_size(Some(10240))
        .try_into()
        .expect("a name is set");
    let body: NewFileRequest = NewFileRequest::builder()
        .name("Contract renewal")
        .requested_files(vec![logo])
        .description(Some(
            "We need these files to complete your contract renewal".to_string(),
        ))
        .customer_id(Some("cst_abc123456789".to_string()))
        .directory_id(Some("fsd_abc123456789".to_string()))
        .try_into()
        .expect("every required field is set");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        documented_json("create-file-request.request.json")
    );
}

/// create-file-share's request body; list-file-shares' example only has a placeholder
/// for `sharedContent` (`["<any>"]`), which the spec's File-or-Directory items refuse
/// (the description says File and Directory objects), while real items decode.
#[test]
fn file_shares_follow_the_description_not_the_placeholder() {
    let body = NewFileShare {
        content: vec![
            "fsd_abc123456789".to_string(),
            "fsf_abc123456789".to_string(),
        ],
        customer_id: Some("cst_abc123456789".to_string()),
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        documented_json("create-file-share.request.json")
    );

    let placeholder = documented("list-file-shares.json");
    let err = serde_json::from_str::<FileSharePage>(&placeholder).expect_err("a placeholder");
    assert!(err.to_string().contains("<any>"), "{err}");
    let mut real = documented_json("list-file-shares.json");
    real["data"][0]["sharedContent"] = json!([documented_json("get-file-or-directory.json")]);
    let page: FileSharePage = serde_json::from_value(real).expect("real items decode");
    let share = &page.data[0];
    assert_eq!(
        share.shared_with_customer_id.as_deref(),
        Some("cst_abc12345678")
    );
    assert_eq!(share.shared_content[0].id, "fsf_abc12345678");
    let public = share
        .links
        .as_ref()
        .and_then(|l| l.public_share.as_ref())
        .map(|l| l.href.as_str());
    assert_eq!(public, Some("<string>"));
}
