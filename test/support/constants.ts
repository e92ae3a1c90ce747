export const TEST_ADMIN = { email: 'admin@test.skilled', password: 'Admin-password-1' };
export const TEST_PASSWORD = 'Correct-horse-9';
