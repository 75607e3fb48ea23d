// The native and Twilio-compatible APIs run again, unchanged, against otpd on the real PostgreSQL
// (each server in its own schema): services, resends, checks and races on the shared store.
process.env.OTPD_TEST_STORE = 'postgres';
await import('./native-api-verifications.test.ts');
await import('./twilio-sdk.test.ts');
