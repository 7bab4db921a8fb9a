-- Support-desk schema. Every statement is idempotent so setup() can run concurrently.

CREATE TABLE IF NOT EXISTS invoices (
    invoice_number  TEXT PRIMARY KEY,
    customer        TEXT NOT NULL,
    amount          REAL NOT NULL,
    currency        TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('paid', 'open')),
    previous_amount REAL
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
    price              REAL NOT NULL,
    returnable         INTEGER NOT NULL CHECK (returnable IN (0, 1)),
    return_window_days INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id        TEXT NOT NULL,
    task_key          TEXT NOT NULL,
    invoice_number    TEXT NOT NULL REFERENCES invoices (invoice_number),
    concern           TEXT NOT NULL,
    eta_business_days INTEGER NOT NULL,
    created_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (request_id, task_key)
);

CREATE TABLE IF NOT EXISTS rmas (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    task_key   TEXT NOT NULL,
    sku        TEXT NOT NULL REFERENCES products (sku),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (request_id, task_key)
);
