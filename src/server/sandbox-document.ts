/** The document Apollo Sandbox opens with: log in as a demo user, then ask who you are. */
export const SANDBOX_DOCUMENT = `# 1. Run "Login" and copy accessToken.
# 2. Add the header  Authorization: Bearer <accessToken>  (Headers tab below).
# 3. Run "WhoAmI" and "Posts": bob gets FORBIDDEN on secretNote, alice does not.
mutation Login {
  login(email: "bob@example.com", password: "bob-password-123") {
    accessToken
    refreshToken
    expiresIn
    user { id email claims }
  }
}

query WhoAmI {
  viewer { authenticated subject claims expiresAt tokenError { reason message } }
}

query Posts {
  posts { id title body secretNote }
}
`;
