-- Reminder delivery beyond the in-app notification: a (simulated) e-mail and a signed webhook,
-- each recorded once per reminder fire (the notification's idempotency key) and channel.

ALTER TABLE users ADD COLUMN webhook_secret text;

CREATE TABLE channel_deliveries (
  idempotency_key text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
  user_id         text NOT NULL REFERENCES users (id),
  delivered_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (idempotency_key, channel)
);
