-- Support-desk schema, shared by SQLite and PostgreSQL. Every statement is idempotent so setup()
-- can run again. The words the two dialects spell differently are placeholders, filled in from
-- each backend's DIALECT:
--   $row_id     an auto-incrementing integer primary key that never reuses a value
--   $double     an 8-byte floating-point number
--   $timestamp  the type of a creation time that defaults to CURRENT_TIMESTAMP

CREATE TABLE IF NOT EXISTS invoices (
    invoice_number  TEXT PRIMARY KEY,
    customer        TEXT NOT NULL,
    amount          $double NOT NULL,
    currency        TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('paid', 'open')),
    previous_amount $double
);

CREATE TABLE IF NOT EXISTS orders (
    order_id          TEXT PRIMARY KEY,
    status            TEXT NOT NULL,
    carrier           TEXT,
    tracking_number   TEXT,
    expected_delivery TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
    sku                TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    alias              TEXT,
    price              $double NOT NULL,
    returnable         INTEGER NOT NULL CHECK (returnable IN (0, 1)),
    return_window_days INTEGER NOT NULL
);

-- One case and one RMA per (request_id, task_key): the UNIQUE constraint is what makes a
-- replayed or racing worker get the row that exists instead of a second one.
CREATE TABLE IF NOT EXISTS cases (
    id                $row_id,
    request_id        TEXT NOT NULL,
    task_key          TEXT NOT NULL,
    invoice_number    TEXT NOT NULL REFERENCES invoices (invoice_number),
    concern           TEXT NOT NULL,
    eta_business_days INTEGER NOT NULL,
    created_at        $timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (request_id, task_key)
);

CREATE TABLE IF NOT EXISTS rmas (
    id         $row_id,
    request_id TEXT NOT NULL,
    task_key   TEXT NOT NULL,
    sku        TEXT NOT NULL REFERENCES products (sku),
    reason     TEXT NOT NULL,
    created_at $timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (request_id, task_key)
);
