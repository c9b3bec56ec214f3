// A self-signed certificate for hook.test (test fixture only; made with openssl for these tests):
// no client trusts it, which is what the TLS test of the webhook sender relies on.
export const HOOK_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/zx0vu8tfFvGeS9i
ec8mvj8eTCewyNY+y4YOQusi7jihRANCAATXOJV5+jA3KHEhKH/xdsJ7zU72PAmT
qjFzX4tP1rjalppWz3QpQmi03G4wGBKXiqfavhwT/weYkaso6MyBhlKc
-----END PRIVATE KEY-----
`;
export const HOOK_TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIULNzKBLBMW3Azj3u0PF51y7AtlQgwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJaG9vay50ZXN0MCAXDTI2MTEyOTEzMzAyOFoYDzIxMjYxMTA1
MTMzMDI4WjAUMRIwEAYDVQQDDAlob29rLnRlc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATXOJV5+jA3KHEhKH/xdsJ7zU72PAmTqjFzX4tP1rjalppWz3QpQmi0
3G4wGBKXiqfavhwT/weYkaso6MyBhlKco2kwZzAdBgNVHQ4EFgQUgmUYP5XUiYGD
og6xqScm2icOXeEwHwYDVR0jBBgwFoAUgmUYP5XUiYGDog6xqScm2icOXeEwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglob29rLnRlc3QwCgYIKoZIzj0EAwID
SAAwRQIgeJG1ikbOYZ3rAKAkRmW2vuLeNRSE9ID6dwr1HyXiQ3sCIQCbLFwHuG/M
VgiBfED9QRFzaDCbDOPgwKoQEK9pACnPSg==
-----END CERTIFICATE-----
`;
