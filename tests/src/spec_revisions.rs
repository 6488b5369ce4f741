//! Revisions of the real spec, each one typical change, for the `cargo xtask semver`
//! tests: every revision is a stable part of the workspace's spec ([`real_spec`]) with one edit,
//! and an edit whose anchor text is gone fails loudly instead of testing nothing. The
//! part is written as one YAML file the way `cargo xtask bundle` writes it (two-space
//! indentation, sequences at their key's column), which the anchors below follow.

/// The tag files the revisions are made from: the root and the first two tags of the
/// real spec, Customer Invoices and Customers. A stable part of the spec, so that a tag
/// added or changed elsewhere does not change every report and fixture made from these
/// revisions (the generated fixtures are full clients, and reviewers read their diffs).
pub const REVISED_TAGS: [&str; 2] = ["customer-invoices.yaml", "customers.yaml"];

/// The real spec's root and [`REVISED_TAGS`], as checked in, joined.
pub fn real_spec() -> String {
    let root = xtask::workspace_root();
    let read = |name: String| {
        let path = root.join(&name);
        match std::fs::read_to_string(&path) {
            Ok(text) => xtask::bundle::Source { name, text },
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        }
    };
    let tags: Vec<_> = REVISED_TAGS
        .iter()
        .map(|file| read(format!("spec/tags/{file}")))
        .collect();
    match xtask::Bundle::join(&read(xtask::SPEC_PATH.to_string()), &tags)
        .and_then(|bundle| bundle.to_yaml())
    {
        Ok(text) => text,
        Err(e) => panic!("cannot join the spec's files: {e}"),
    }
}

/// `spec` with the first `anchor` replaced by `with`.
pub fn edit(spec: &str, anchor: &str, with: &str) -> String {
    assert!(
        spec.contains(anchor),
        "the spec no longer contains the anchor of this revision:\n{anchor}"
    );
    spec.replacen(anchor, with, 1)
}

const LINKS: &str = "        links:\n          $ref: '#/components/schemas/CustomerInvoiceLinks'\n";

/// A nullable, optional `reference` field added to the `CustomerInvoice` response model.
pub fn response_field_added(spec: &str) -> String {
    edit(
        spec,
        LINKS,
        &format!(
            "{LINKS}        reference:\n          type: string\n          nullable: true\n          description: Your own reference for the invoice.\n"
        ),
    )
}

/// The required `paidAt` field removed from `CustomerInvoice`.
pub fn response_field_removed(spec: &str) -> String {
    let spec = edit(spec, "      - paidAt\n", "");
    edit(
        &spec,
        "        paidAt:\n          type: string\n          format: date-time\n          nullable: true\n          description: When the invoice was marked paid (ATOM / RFC 3339, with the server's UTC offset); null while unpaid.\n          example: 2024-05-28T21:00:00+02:00\n",
        "",
    )
}

/// `CustomerInvoicePage.from` changed from a nullable integer to a nullable string.
pub fn field_type_changed(spec: &str) -> String {
    edit(
        spec,
        "        from:\n          type: integer\n          format: int64\n          nullable: true\n",
        "        from:\n          type: string\n          nullable: true\n",
    )
}

/// A new operation, `GET /customer-invoices/by-number/{number}`
/// (`get-customer-invoice-by-number`).
pub fn operation_added(spec: &str) -> String {
    edit(
        spec,
        "components:\n",
        r##"  /customer-invoices/by-number/{number}:
    get:
      operationId: get-customer-invoice-by-number
      summary: Get one customer invoice by its number
      parameters:
        - name: number
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: The invoice
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/CustomerInvoice"
        "4XX":
          $ref: "#/components/responses/ClientError"
components:
"##,
    )
}

/// The parameters of a list operation that takes only the page.
const PAGE_PARAMETER_END: &str =
    "      parameters:\n      - $ref: '#/components/parameters/Page'\n      responses:\n";

/// An optional `per_page` query parameter added to `list-customer-invoices` (the first
/// parameter list after its operationId: other tags' lists may come before it).
pub fn optional_parameter_added(spec: &str) -> String {
    const OPERATION: &str = "operationId: list-customer-invoices\n";
    let start = spec
        .find(OPERATION)
        .unwrap_or_else(|| panic!("the spec no longer has {OPERATION}"));
    let (before, after) = spec.split_at(start);
    let after = edit(
        after,
        PAGE_PARAMETER_END,
        "      parameters:\n      - $ref: '#/components/parameters/Page'\n      - name: per_page\n        in: query\n        required: false\n        description: Invoices per page.\n        schema:\n          type: integer\n          format: int32\n          minimum: 1\n      responses:\n",
    );
    format!("{before}{after}")
}

/// The `page` query parameter (`#/components/parameters/Page`) made required.
pub fn parameter_made_required(spec: &str) -> String {
    edit(
        spec,
        "    Page:\n      name: page\n      in: query\n      required: false\n",
        "    Page:\n      name: page\n      in: query\n      required: true\n",
    )
}

/// An optional string enum `status` (`open`, `paid`) added to `CustomerInvoice`: the
/// base of [`enum_value_added`].
pub fn with_status_enum(spec: &str) -> String {
    edit(
        spec,
        LINKS,
        &format!(
            "{LINKS}        status:\n          type: string\n          description: Where the invoice is in its life.\n          enum:\n            - open\n            - paid\n"
        ),
    )
}

/// The value `cancelled` added to the `status` enum of [`with_status_enum`].
pub fn enum_value_added(spec: &str) -> String {
    edit(
        &with_status_enum(spec),
        "            - open\n            - paid\n",
        "            - open\n            - paid\n            - cancelled\n",
    )
}

/// The description of the invoice id type (`CustomerInvoiceId`) reworded.
pub fn description_changed(spec: &str) -> String {
    edit(
        spec,
        "      description: Id of a customer invoice (`inv_...`).\n",
        "      description: Unique id of a customer invoice (`inv_` followed by letters and digits).\n",
    )
}

/// `CustomerInvoice.currency` made nullable.
pub fn response_field_made_nullable(spec: &str) -> String {
    edit(
        spec,
        "        currency:\n          type: string\n",
        "        currency:\n          type: string\n          nullable: true\n",
    )
}

/// A `POST /customer-invoice-drafts` (`create-customer-invoice-draft`) whose JSON body
/// has a required `customerId` and an optional `reference`: the base of
/// [`request_field_made_required`].
pub fn with_request_body(spec: &str) -> String {
    let spec = edit(
        spec,
        "components:\n",
        r##"  /customer-invoice-drafts:
    post:
      operationId: create-customer-invoice-draft
      summary: Create a customer invoice draft
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/NewCustomerInvoiceDraft"
      responses:
        "201":
          description: The new draft
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/CustomerInvoice"
        "4XX":
          $ref: "#/components/responses/ClientError"
components:
"##,
    );
    edit(
        &spec,
        "  schemas:\n",
        "  schemas:\n    NewCustomerInvoiceDraft:\n      type: object\n      required:\n        - customerId\n      properties:\n        customerId:\n          type: string\n        reference:\n          type: string\n",
    )
}

/// The `reference` field of [`with_request_body`]'s body made required.
pub fn request_field_made_required(spec: &str) -> String {
    edit(
        &with_request_body(spec),
        "      required:\n        - customerId\n      properties:\n        customerId:\n          type: string\n        reference:\n",
        "      required:\n        - customerId\n        - reference\n      properties:\n        customerId:\n          type: string\n        reference:\n",
    )
}

/// A multipart operation the vendor does not have, `POST /customers/{customerId}/documents`
/// (`upload-customer-documents`): a path and an optional query parameter, an array of
/// files without a declared media type, an array of text values, an optional text part
/// and an integer part, answered with an inline schema (which progenitor names
/// `UploadCustomerDocumentsResponse`). Nothing outside the spec names it: the xtask must
/// generate all of it.
pub fn with_multipart_upload(spec: &str) -> String {
    edit(
        spec,
        "components:\n",
        r##"  /customers/{customerId}/documents:
    post:
      operationId: upload-customer-documents
      summary: Upload documents for a customer
      parameters:
        - name: customerId
          in: path
          required: true
          schema:
            type: string
        - name: notify
          in: query
          required: false
          schema:
            type: boolean
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required:
                - documents
                - sequence
              properties:
                documents:
                  type: array
                  description: The files to upload.
                  items:
                    type: string
                    format: binary
                labels:
                  type: array
                  items:
                    type: string
                caption:
                  type: string
                sequence:
                  type: integer
      responses:
        "200":
          description: A link to the first document, and how many were stored.
          content:
            application/json:
              schema:
                type: object
                required:
                  - link
                  - stored
                properties:
                  link:
                    type: string
                  expiresAt:
                    type: string
                    format: date-time
                  stored:
                    type: integer
        "404":
          $ref: "#/components/responses/NotFound"
        "4XX":
          $ref: "#/components/responses/ClientError"
components:
"##,
    )
}

/// The optional `sendNotification` part of `create-customer-invoice` (multipart) made
/// required.
pub fn multipart_part_made_required(spec: &str) -> String {
    edit(
        spec,
        "              - amount\n              - pdf\n",
        "              - amount\n              - pdf\n              - sendNotification\n",
    )
}

/// The path parameter `{customerId}` of the Customers API renamed to `{id}`, in every
/// path and in the `CustomerId` parameter: the same URLs on the wire.
pub fn path_parameter_renamed(spec: &str) -> String {
    let spec = edit(
        spec,
        "    CustomerId:\n      name: customerId\n",
        "    CustomerId:\n      name: id\n",
    );
    assert!(spec.contains("/customers/{customerId}:\n"));
    spec.replace("/customers/{customerId}", "/customers/{id}")
}

/// `get-customer` answers `201` instead of `200`.
pub fn success_status_changed(spec: &str) -> String {
    const OPERATION: &str = "operationId: get-customer\n";
    let start = spec
        .find(OPERATION)
        .unwrap_or_else(|| panic!("the spec no longer has {OPERATION}"));
    let (before, after) = spec.split_at(start);
    let after = edit(after, "        '200':\n", "        '201':\n");
    format!("{before}{after}")
}

/// [`with_request_body`], whose body also has an optional `copies` (integer) and an
/// optional `delivery` enum (`email`, `post`) that only requests carry: the base of
/// [`request_enum_value_added`] and [`request_field_widened`].
pub fn with_request_enum(spec: &str) -> String {
    edit(
        &with_request_body(spec),
        "        reference:\n          type: string\n",
        "        reference:\n          type: string\n        copies:\n          type: integer\n        delivery:\n          type: string\n          enum:\n            - email\n            - post\n",
    )
}

/// The value `portal` added to the request-only `delivery` enum of [`with_request_enum`].
pub fn request_enum_value_added(spec: &str) -> String {
    edit(
        &with_request_enum(spec),
        "            - email\n            - post\n",
        "            - email\n            - post\n            - portal\n",
    )
}

/// The request field `copies` of [`with_request_enum`] widened from integer to number.
pub fn request_field_widened(spec: &str) -> String {
    edit(
        &with_request_enum(spec),
        "        copies:\n          type: integer\n",
        "        copies:\n          type: number\n",
    )
}
