//! Punch cards: list, create, get and edit the cards, issue them to customers, list
//! and read the issued cards, and stamp them.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `issued`, `get_issued` | any transient failure |
//! | `edit` (PATCH with the sale settings) | any transient failure: sending it twice sets the same values |
//! | `create`, `issue`, `stamp` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a POST it may or may not have been applied, and the
//! error is [`Error::MaybeApplied`]: a repeated `issue` would give the customer a
//! second card, a repeated `stamp` would use the punches twice. Its message says how to
//! check (read the issued card back and compare `punchesLeft`, say).

use std::num::NonZeroU64;

use futures::FutureExt;
use mijnklantportaal_api::types::{
    IssuePunchCard, IssuedPunchCard, NewPunchCard, PunchCard, PunchCardChanges, StampPunchCard,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The punch-card endpoints; made by [`Client::punch_cards`].
#[derive(Debug, Clone, Copy)]
pub struct PunchCards<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The punch cards of the account, the cards issued to customers, and stamping them.
    pub fn punch_cards(&self) -> PunchCards<'_> {
        PunchCards { client: self }
    }
}

impl PunchCards<'_> {
    /// Every punch card of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for card in client.punch_cards().list().collect_all().await? {
    ///     println!("{}: {} {}", card.name, card.punches, card.punch_label);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListPunchCards> {
        self.client.list(ListPunchCards)
    }

    /// One punch card by its id (`pcd_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let card = client.punch_cards().get("pcd_abc12345def678").await?;
    /// println!("{} for {:?} EUR", card.name, card.price);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<PunchCard, Error> {
        let call = Call::of(operations::GET_PUNCH_CARD);
        self.client
            .inner
            .once(call, |api| {
                api.get_punch_card().punch_card_id(id).send().boxed()
            })
            .await
    }

    /// Creates a punch card. Sent at most once unless the server provably did not
    /// process it; an ambiguous failure is [`Error::MaybeApplied`]. A refused field (a
    /// card for sale without a price, say) is [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use std::num::NonZeroU64;
    /// use mijnklantportaal::{NewPunchCard, PunchCardExpiryPeriod};
    /// use rust_decimal::Decimal;
    ///
    /// let card = client
    ///     .punch_cards()
    ///     .create(NewPunchCard {
    ///         name: "Driving lessons".into(),
    ///         punches: NonZeroU64::new(20).expect("not zero"),
    ///         punch_label: "lessons".into(),
    ///         description: None,
    ///         for_sale: Some(true),
    ///         price: Some(Decimal::new(22995, 2)),
    ///         vat_rate: Some(21),
    ///         expiry_value: NonZeroU64::new(3),
    ///         expire_period: Some(PunchCardExpiryPeriod::Years),
    ///     })
    ///     .await?;
    /// println!("created {}", card.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, card: NewPunchCard) -> Result<PunchCard, Error> {
        let call = Call::of(operations::CREATE_PUNCH_CARD)
            .check("look the punch card up by its name in `punch_cards().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_punch_card().body(card.clone()).send().boxed()
            })
            .await
    }

    /// Sets whether a punch card is for sale, and its price and VAT rate. Safe to
    /// retry (the same values twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::PunchCardChanges;
    ///
    /// let off_sale = PunchCardChanges { for_sale: false, price: None, vat_rate: None };
    /// let card = client.punch_cards().edit("pcd_abc12345def678", off_sale).await?;
    /// assert!(!card.for_sale);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn edit(&self, id: &str, changes: PunchCardChanges) -> Result<PunchCard, Error> {
        let call = Call::of(operations::EDIT_PUNCH_CARD);
        self.client
            .inner
            .once(call, |api| {
                api.edit_punch_card()
                    .punch_card_id(id)
                    .body(changes.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// The cards issued to (or bought by) customers for one punch card, as a
    /// [`Lister`]; an unknown punch card ends the listing with [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::IssuedPunchCardStatus;
    ///
    /// let issued = client.punch_cards().issued("pcd_abc12345def678").collect_all().await?;
    /// let active = issued.iter().filter(|c| c.status == IssuedPunchCardStatus::Active).count();
    /// println!("{active} active cards");
    /// # Ok(())
    /// # }
    /// ```
    pub fn issued(&self, punch_card_id: impl Into<String>) -> Lister<ListIssuedPunchCards> {
        self.client.list(ListIssuedPunchCards {
            punch_card_id: punch_card_id.into(),
        })
    }

    /// Issues a new card of a punch card to a customer (`cst_...`), with all its
    /// punches. Sent at most once unless the server provably did not process it (a
    /// repeat would issue a second card); an ambiguous failure is
    /// [`Error::MaybeApplied`]. An unknown punch card is [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let card = client.punch_cards().issue("pcd_abc12345def678", "cst_abc12345def678").await?;
    /// println!("issued {} with {} punches", card.id, card.punches_left);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn issue(
        &self,
        punch_card_id: &str,
        customer_id: &str,
    ) -> Result<IssuedPunchCard, Error> {
        let body = IssuePunchCard {
            customer_id: customer_id.to_string(),
        };
        let call = Call::of(operations::ISSUE_NEW_PUNCH_CARD)
            .check("look for a new card of this customer in `punch_cards().issued(..)`");
        self.client
            .inner
            .once(call, |api| {
                api.issue_new_punch_card()
                    .punch_card_id(punch_card_id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// One issued card (`pcb_...`) of a punch card (`pcd_...`); [`Error::NotFound`] if
    /// there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let card = client
    ///     .punch_cards()
    ///     .get_issued("pcd_abc12345def678", "pcb_abc12345def678")
    ///     .await?;
    /// println!("{} punches left ({})", card.punches_left, card.status);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_issued(
        &self,
        punch_card_id: &str,
        issued_id: &str,
    ) -> Result<IssuedPunchCard, Error> {
        let call = Call::of(operations::GET_BOUGHT_PUNCH_CARD);
        self.client
            .inner
            .once(call, |api| {
                api.get_bought_punch_card()
                    .punch_card_id(punch_card_id)
                    .issued_punch_card_id(issued_id)
                    .send()
                    .boxed()
            })
            .await
    }

    /// Uses `stamps` punches of an issued card and returns it with `punches_left`
    /// lowered; a card with none left is `fully_used`. Stamping a card that has fewer
    /// punches left, is fully used or expired is [`Error::Validation`]. Sent at most
    /// once unless the server provably did not process it (a repeat would stamp twice);
    /// an ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use std::num::NonZeroU64;
    ///
    /// let one = NonZeroU64::MIN;
    /// let card = client
    ///     .punch_cards()
    ///     .stamp("pcd_abc12345def678", "pcb_abc12345def678", one)
    ///     .await?;
    /// println!("{} punches left", card.punches_left);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stamp(
        &self,
        punch_card_id: &str,
        issued_id: &str,
        stamps: NonZeroU64,
    ) -> Result<IssuedPunchCard, Error> {
        let body = StampPunchCard { stamps };
        let call = Call::of(operations::STAMP_AN_ISSUED_PUNCH_CARD).check("read the issued card back (`punch_cards().get_issued(..)`) and compare its punchesLeft");
        self.client
            .inner
            .once(call, |api| {
                api.stamp_an_issued_punch_card()
                    .punch_card_id(punch_card_id)
                    .issued_punch_card_id(issued_id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }
}

list_operation! {
    /// `GET /punch-cards`, as a [`ListOperation`](crate::ListOperation).
    ListPunchCards: LIST_PUNCH_CARDS => list_punch_cards -> PunchCardPage, PunchCard;
}

list_operation! {
    /// `GET /punch-cards/{punchCardId}/issued` for one punch card, as a [`ListOperation`](crate::ListOperation).
    ListIssuedPunchCards { punch_card_id }: LIST_BOUGHT_PUNCH_CARDS => list_bought_punch_cards -> IssuedPunchCardPage, IssuedPunchCard;
}
