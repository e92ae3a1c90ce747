export const TEST_ADMIN = { email: 'admin@test.skilled', password: 'Admin-password-1' };
export const TEST_PASSWORD = 'Correct-horse-9';
/** The shared server's and the security tests' own servers' JWT secret: one database, one set of signing keys. */
export const TEST_JWT_SECRET = 'test-jwt-secret-shared-by-every-test-server-0123456789';
