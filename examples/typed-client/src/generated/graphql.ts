/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: string; output: string; }
  JSON: { input: unknown; output: unknown; }
};

/** One change to an account, for administrators. */
export type AuditEvent = {
  __typename?: 'AuditEvent';
  /** claims_changed, account_disabled, account_enabled, account_deleted, sessions_revoked, password_changed, password_reset, email_verified, account_unlocked, role_created, role_changed, role_deleted, role_granted or role_revoked. */
  action: Scalars['String']['output'];
  /** The acting user's id, when a user acted. */
  actorId?: Maybe<Scalars['ID']['output']>;
  /** admin, cli, user (the account owner) or system. */
  actorKind: Scalars['String']['output'];
  after?: Maybe<Scalars['JSON']['output']>;
  at: Scalars['DateTime']['output'];
  before?: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  targetUserId?: Maybe<Scalars['ID']['output']>;
};

export type AuthPayload = {
  __typename?: 'AuthPayload';
  accessToken: Scalars['String']['output'];
  /** From login only: keep it on this device and pass it to the next login (see login). */
  deviceToken?: Maybe<Scalars['String']['output']>;
  /** Seconds until the access token expires. */
  expiresIn: Scalars['Int']['output'];
  /** Null in cookie mode (header Claimgate-Refresh-Token: cookie): the refresh token is then in an HttpOnly cookie. */
  refreshToken?: Maybe<Scalars['String']['output']>;
  /** Always "Bearer". */
  tokenType: Scalars['String']['output'];
  user: User;
};

export type CreatePostInput = {
  body: Scalars['String']['input'];
  published?: InputMaybe<Scalars['Boolean']['input']>;
  /**
   * Only administrators may set the note (only they can read it).
   *
   * Requires claims: role=admin.
   */
  secretNote?: InputMaybe<Scalars['String']['input']>;
  title: Scalars['String']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Changes the caller's password and ends every other session. Returns how many ended.
   *
   * Requires a valid access token.
   */
  changePassword: Scalars['Int']['output'];
  /**
   * Publishes a post (or saves a draft with published: false) as the caller.
   *
   * Requires claims: permissions=posts:write.
   */
  createPost: Post;
  /**
   * Creates a role: a name that grants permissions (and other claims) to every user who holds it.
   *
   * Requires claims: role=admin.
   */
  createRole: Role;
  /**
   * Deletes a role; its holders lose what it granted (their older access tokens are refused as for updateRole).
   *
   * Requires claims: role=admin.
   */
  deleteRole: Scalars['Boolean']['output'];
  /**
   * Deletes an account: its sessions end (its access tokens stop working within seconds), its posts and personal data are removed, and its email can register again.
   *
   * Requires claims: role=admin.
   */
  deleteUser: Scalars['Boolean']['output'];
  /**
   * Grants a role to a user; their next refresh carries it.
   *
   * Requires claims: role=admin.
   */
  grantRole: User;
  /**
   * Exchanges an email and password for an access token and a refresh token. Pass the deviceToken a
   * previous login on this device returned: strangers' failed guesses then cannot lock you out.
   */
  login: AuthPayload;
  /**
   * Ends the session the refresh token belongs to. Its refresh tokens stop working at once.
   * Without the argument, the refresh token comes from the cookie of cookie mode, and the cookie is cleared.
   */
  logout: Scalars['Boolean']['output'];
  /**
   * Ends every session of the caller, this one included, and clears the cookie of cookie mode. Returns how many ended.
   *
   * Requires a valid access token.
   */
  logoutAll: Scalars['Int']['output'];
  /**
   * Exchanges a refresh token for new tokens. The presented refresh token stops working.
   * Without the argument, the refresh token comes from the cookie of cookie mode, and its successor goes there.
   */
  refresh: AuthPayload;
  /**
   * Creates an account with no claims. With email verification on (the default) it answers
   * VERIFICATION_SENT whether or not the address already has an account, and a mail completes the
   * registration (verifyEmail); with it off, REGISTERED with tokens.
   */
  register: RegistrationPayload;
  /**
   * Over WebSocket only: replaces the connection's access token with a newer one for the same
   * user (sub), so its subscriptions continue past the old token's expiry. Over HTTP: BAD_REQUEST.
   */
  renewConnection: Scalars['Boolean']['output'];
  /** Mails a single-use password reset link if the address has an account. Always answers true. */
  requestPasswordReset: Scalars['Boolean']['output'];
  /** Sets a new password with the token from a reset mail; every session of the account ends. */
  resetPassword: Scalars['Boolean']['output'];
  /**
   * Takes a role from a user; their older access tokens are refused within REVOCATION_SYNC_INTERVAL.
   *
   * Requires claims: role=admin.
   */
  revokeRole: User;
  /**
   * Ends one of the caller's sessions (see the sessions query).
   *
   * Requires a valid access token.
   */
  revokeSession: Scalars['Boolean']['output'];
  /**
   * Ends every session of a user. Returns how many ended.
   *
   * Requires claims: role=admin.
   */
  revokeUserSessions: Scalars['Int']['output'];
  /**
   * Replaces a user's own claims. Registered JWT claim names (sub, exp, …) are refused. The user's
   * older access tokens are refused as expired within REVOCATION_SYNC_INTERVAL (at once on this
   * server), so clients refresh and receive the new claims. Audited.
   *
   * Requires claims: role=admin.
   */
  setUserClaims: User;
  /**
   * Disables or re-enables an account. A disabled account cannot log in or refresh, and its sessions end.
   *
   * Requires claims: role=admin.
   */
  setUserDisabled: User;
  /**
   * Changes what a role grants (fields left out stay). Every holder's older access tokens are refused
   * within REVOCATION_SYNC_INTERVAL, so removed permissions stop working and the next refresh carries the new ones.
   *
   * Requires claims: role=admin.
   */
  updateRole: Role;
  /** Confirms an address with the token from a verification mail, and logs in. */
  verifyEmail: AuthPayload;
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationCreatePostArgs = {
  input: CreatePostInput;
};


export type MutationCreateRoleArgs = {
  input: RoleInput;
  name: Scalars['String']['input'];
};


export type MutationDeleteRoleArgs = {
  name: Scalars['String']['input'];
};


export type MutationDeleteUserArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationGrantRoleArgs = {
  role: Scalars['String']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationLoginArgs = {
  deviceToken?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationLogoutArgs = {
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRefreshArgs = {
  refreshToken?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRegisterArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationRenewConnectionArgs = {
  accessToken: Scalars['String']['input'];
};


export type MutationRequestPasswordResetArgs = {
  email: Scalars['String']['input'];
};


export type MutationResetPasswordArgs = {
  newPassword: Scalars['String']['input'];
  token: Scalars['String']['input'];
};


export type MutationRevokeRoleArgs = {
  role: Scalars['String']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationRevokeSessionArgs = {
  sessionId: Scalars['ID']['input'];
};


export type MutationRevokeUserSessionsArgs = {
  userId: Scalars['ID']['input'];
};


export type MutationSetUserClaimsArgs = {
  claims: Scalars['JSON']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationSetUserDisabledArgs = {
  disabled: Scalars['Boolean']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationUpdateRoleArgs = {
  input: RoleInput;
  name: Scalars['String']['input'];
};


export type MutationVerifyEmailArgs = {
  token: Scalars['String']['input'];
};

/**
 * A published post needs permissions=posts:read; a draft reaches only its author and administrators.
 * Checked on each post as the field that produces it returns it, whichever field that is.
 *
 * Requires (on each Post, checked as it is returned): permissions=posts:read and the post's published is true, or sub = the post's authorId, or role=admin.
 */
export type Post = {
  __typename?: 'Post';
  /** The author's user id (emails stay private to administrators and the account itself). */
  authorId: Scalars['ID']['output'];
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  published: Scalars['Boolean']['output'];
  /**
   * An editor's note that only administrators see.
   *
   * Requires claims: role=admin.
   */
  secretNote?: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * Who changed what about whose account (claims, disable, delete, session sweeps, password resets), newest first.
   *
   * Requires claims: role=admin.
   */
  auditLog: Array<AuditEvent>;
  /**
   * Unpublished posts of one author: for that author (the token's sub equals authorId) and administrators.
   *
   * Requires: sub = the authorId argument, or role=admin.
   */
  drafts: Array<Post>;
  /**
   * The account the access token belongs to.
   *
   * Requires a valid access token.
   */
  me: User;
  /**
   * One post by id, or null when there is none. Whether the caller may read it is the Post type's rule.
   * Being rolled out: posts:read for every caller (authors without it would lose their own drafts here).
   *
   * Requires a valid access token. Not yet enforced (enforce: false, reported only): permissions=posts:read.
   */
  post?: Maybe<Post>;
  /**
   * Published posts, newest first.
   *
   * Requires claims: permissions=posts:read.
   */
  posts: Array<Post>;
  /**
   * Every role with what it grants, for administrators.
   *
   * Requires claims: role=admin.
   */
  roles: Array<Role>;
  /**
   * The caller's sessions that have not ended, most recently used first.
   *
   * Requires a valid access token.
   */
  sessions: Array<Session>;
  /**
   * Every account, for administrators.
   *
   * Requires claims: role=admin.
   */
  users: Array<User>;
  /** What the server sees in the presented access token: its subject, claims and expiry, or why it was rejected. */
  viewer: Viewer;
};


export type QueryAuditLogArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  userId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryDraftsArgs = {
  authorId: Scalars['ID']['input'];
};


export type QueryPostArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPostsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type RegistrationPayload = {
  __typename?: 'RegistrationPayload';
  /** Tokens when status is REGISTERED; null until the address is verified otherwise. */
  auth?: Maybe<AuthPayload>;
  status: RegistrationStatus;
};

export type RegistrationStatus =
  /** The account exists and is logged in (email verification is off). */
  | 'REGISTERED'
  /** A mail with a verification link went to the address (or, if it already has an account, a notice to its owner). */
  | 'VERIFICATION_SENT';

/** A named set of permissions (and other claims); users holding it receive them in their access tokens. */
export type Role = {
  __typename?: 'Role';
  /** Further claims the role grants; a user's own claims win over them. */
  claims: Scalars['JSON']['output'];
  description: Scalars['String']['output'];
  /** How many users were granted the role. */
  holders: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  permissions: Array<Scalars['String']['output']>;
};

export type RoleInput = {
  claims?: InputMaybe<Scalars['JSON']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  permissions?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** A login: the family of refresh tokens descending from it. Its access tokens stop working within seconds of its end. */
export type Session = {
  __typename?: 'Session';
  createdAt: Scalars['DateTime']['output'];
  /** True for the session the presented access token belongs to. */
  current: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  ip?: Maybe<Scalars['String']['output']>;
  lastUsedAt: Scalars['DateTime']['output'];
  userAgent?: Maybe<Scalars['String']['output']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Each post as it is published (createPost), for callers who may read posts.
   *
   * Requires claims: permissions=posts:read.
   */
  postPublished: Post;
};

export type TokenError = {
  __typename?: 'TokenError';
  message: Scalars['String']['output'];
  /** MISSING_TOKEN, TOKEN_EXPIRED or TOKEN_INVALID. */
  reason: Scalars['String']['output'];
};

export type User = {
  __typename?: 'User';
  /** The user's own claims, copied into each access token at login and refresh (with what their roles grant). */
  claims: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  disabled: Scalars['Boolean']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Posts the user published. */
  posts: Array<Post>;
  /** The roles granted to the user, in grant order; access tokens carry them as roles, with the primary one as role. */
  roles: Array<Scalars['String']['output']>;
};

/** The presented access token as the server understood it. */
export type Viewer = {
  __typename?: 'Viewer';
  /** True when a valid access token was presented. */
  authenticated: Scalars['Boolean']['output'];
  /** Every claim of the token, registered ones included; for a provider's token, after its claim mapping. */
  claims?: Maybe<Scalars['JSON']['output']>;
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** True when the token comes from a trusted external identity provider rather than claimgate's own login. */
  external: Scalars['Boolean']['output'];
  issuedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Who issued the token: claimgate itself (JWT_ISSUER) or a trusted identity provider (TRUSTED_ISSUERS). */
  issuer?: Maybe<Scalars['String']['output']>;
  /** The token's sub claim. */
  subject?: Maybe<Scalars['String']['output']>;
  /** Why the presented token was not accepted, or null. */
  tokenError?: Maybe<TokenError>;
};

export type LoginMutationVariables = Exact<{
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', accessToken: string, refreshToken?: string | null, expiresIn: number, user: { __typename?: 'User', id: string, email: string } } };

export type RefreshMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type RefreshMutation = { __typename?: 'Mutation', refresh: { __typename?: 'AuthPayload', accessToken: string, refreshToken?: string | null, expiresIn: number } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { __typename?: 'Query', me: { __typename?: 'User', id: string, email: string, claims: unknown } };

export type PostsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
}>;


export type PostsQuery = { __typename?: 'Query', posts: Array<{ __typename?: 'Post', id: string, title: string, secretNote?: string | null }> };

export type PostPublishedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type PostPublishedSubscription = { __typename?: 'Subscription', postPublished: { __typename?: 'Post', id: string, title: string } };

export type RenewConnectionMutationVariables = Exact<{
  accessToken: Scalars['String']['input'];
}>;


export type RenewConnectionMutation = { __typename?: 'Mutation', renewConnection: boolean };


export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Refresh"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refresh"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}}]}}]}}]} as unknown as DocumentNode<RefreshMutation, RefreshMutationVariables>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"claims"}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const PostsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Posts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"posts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"secretNote"}}]}}]}}]} as unknown as DocumentNode<PostsQuery, PostsQueryVariables>;
export const PostPublishedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PostPublished"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"postPublished"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<PostPublishedSubscription, PostPublishedSubscriptionVariables>;
export const RenewConnectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RenewConnection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accessToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"renewConnection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accessToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accessToken"}}}]}]}}]} as unknown as DocumentNode<RenewConnectionMutation, RenewConnectionMutationVariables>;