// "Nothing about the API may change" with the shared store: the CAMARA lifecycle and limits tests
// run again, unchanged, against otpd on the real PostgreSQL (each server in its own schema).
process.env.OTPD_TEST_STORE = 'postgres';
await import('./camara-lifecycle.test.ts');
await import('./camara-limits.test.ts');
