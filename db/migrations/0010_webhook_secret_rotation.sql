-- Webhook secret rotation with an overlap window: after a rotation the previous secret keeps
-- signing deliveries (a second signature) until webhook_previous_secret_until, so a receiver
-- can switch to the new secret without dropping a delivery.

ALTER TABLE users
  ADD COLUMN webhook_previous_secret text,
  ADD COLUMN webhook_previous_secret_until timestamptz;
