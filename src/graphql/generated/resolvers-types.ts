import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { UserView as UserViewModel } from '../../domain/users.js';
import type { SessionView as SessionViewModel } from '../../auth/sessions.js';
import type { Post as PostModel } from '../../db/generated/client.js';
import type { AuditEventView as AuditEventViewModel } from '../../domain/audit-log.js';
import type { RoleView as RoleViewModel } from '../../domain/roles.js';
import type { DeliveredTokens as DeliveredTokensModel, DeliveredRegistration as DeliveredRegistrationModel } from '../refresh-token-delivery.js';
import type { Principal as PrincipalModel } from '../../auth/caller.js';
import type { GraphQLContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant as an ISO 8601 string in UTC. */
  DateTime: { input: Date; output: Date; }
  /** Any JSON value: here, the claims of a token or of a user. */
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
  /** Only administrators may set the note (only they can read it). */
  secretNote?: InputMaybe<Scalars['String']['input']>;
  title: Scalars['String']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Changes the caller's password and ends every other session. Returns how many ended. */
  changePassword: Scalars['Int']['output'];
  /** Publishes a post (or saves a draft with published: false) as the caller. */
  createPost: Post;
  /** Creates a role: a name that grants permissions (and other claims) to every user who holds it. */
  createRole: Role;
  /** Deletes a role; its holders lose what it granted (their older access tokens are refused as for updateRole). */
  deleteRole: Scalars['Boolean']['output'];
  /** Deletes an account: its sessions end (its access tokens stop working within seconds), its posts and personal data are removed, and its email can register again. */
  deleteUser: Scalars['Boolean']['output'];
  /** Grants a role to a user; their next refresh carries it. */
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
  /** Ends every session of the caller, this one included, and clears the cookie of cookie mode. Returns how many ended. */
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
  /** Takes a role from a user; their older access tokens are refused within REVOCATION_SYNC_INTERVAL. */
  revokeRole: User;
  /** Ends one of the caller's sessions (see the sessions query). */
  revokeSession: Scalars['Boolean']['output'];
  /** Ends every session of a user. Returns how many ended. */
  revokeUserSessions: Scalars['Int']['output'];
  /**
   * Replaces a user's own claims. Registered JWT claim names (sub, exp, …) are refused. The user's
   * older access tokens are refused as expired within REVOCATION_SYNC_INTERVAL (at once on this
   * server), so clients refresh and receive the new claims. Audited.
   */
  setUserClaims: User;
  /** Disables or re-enables an account. A disabled account cannot log in or refresh, and its sessions end. */
  setUserDisabled: User;
  /**
   * Changes what a role grants (fields left out stay). Every holder's older access tokens are refused
   * within REVOCATION_SYNC_INTERVAL, so removed permissions stop working and the next refresh carries the new ones.
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
 */
export type Post = {
  __typename?: 'Post';
  /** The author's user id (emails stay private to administrators and the account itself). */
  authorId: Scalars['ID']['output'];
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  published: Scalars['Boolean']['output'];
  /** An editor's note that only administrators see. */
  secretNote?: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Who changed what about whose account (claims, disable, delete, session sweeps, password resets), newest first. */
  auditLog: Array<AuditEvent>;
  /** Unpublished posts of one author: for that author (the token's sub equals authorId) and administrators. */
  drafts: Array<Post>;
  /** The account the access token belongs to. */
  me: User;
  /**
   * One post by id, or null when there is none. Whether the caller may read it is the Post type's rule.
   * Being rolled out: posts:read for every caller (authors without it would lose their own drafts here).
   */
  post?: Maybe<Post>;
  /** Published posts, newest first. */
  posts: Array<Post>;
  /** Every role with what it grants, for administrators. */
  roles: Array<Role>;
  /** The caller's sessions that have not ended, most recently used first. */
  sessions: Array<Session>;
  /** Every account, for administrators. */
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
  /** Each post as it is published (createPost), for callers who may read posts. */
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



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AuditEvent: ResolverTypeWrapper<AuditEventViewModel>;
  AuthPayload: ResolverTypeWrapper<DeliveredTokensModel>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CreatePostInput: CreatePostInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Post: ResolverTypeWrapper<PostModel>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RegistrationPayload: ResolverTypeWrapper<DeliveredRegistrationModel>;
  RegistrationStatus: RegistrationStatus;
  Role: ResolverTypeWrapper<RoleViewModel>;
  RoleInput: RoleInput;
  Session: ResolverTypeWrapper<SessionViewModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TokenError: ResolverTypeWrapper<TokenError>;
  User: ResolverTypeWrapper<UserViewModel>;
  Viewer: ResolverTypeWrapper<PrincipalModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AuditEvent: AuditEventViewModel;
  AuthPayload: DeliveredTokensModel;
  Boolean: Scalars['Boolean']['output'];
  CreatePostInput: CreatePostInput;
  DateTime: Scalars['DateTime']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Post: PostModel;
  Query: Record<PropertyKey, never>;
  RegistrationPayload: DeliveredRegistrationModel;
  Role: RoleViewModel;
  RoleInput: RoleInput;
  Session: SessionViewModel;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  TokenError: TokenError;
  User: UserViewModel;
  Viewer: PrincipalModel;
};

export type PublicDirectiveArgs = { };

export type PublicDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = PublicDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequiresClaimsDirectiveArgs = {
  anyOf?: Maybe<Array<Array<Scalars['String']['input']>>>;
  claims?: Maybe<Array<Scalars['String']['input']>>;
  enforce?: Maybe<Scalars['Boolean']['input']>;
};

export type RequiresClaimsDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = RequiresClaimsDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AuditEventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuditEvent'] = ResolversParentTypes['AuditEvent']> = {
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  actorId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  actorKind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  after?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  before?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  targetUserId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type AuthPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuthPayload'] = ResolversParentTypes['AuthPayload']> = {
  accessToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deviceToken?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expiresIn?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  refreshToken?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tokenType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  changePassword?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationChangePasswordArgs, 'currentPassword' | 'newPassword'>>;
  createPost?: Resolver<ResolversTypes['Post'], ParentType, ContextType, RequireFields<MutationCreatePostArgs, 'input'>>;
  createRole?: Resolver<ResolversTypes['Role'], ParentType, ContextType, RequireFields<MutationCreateRoleArgs, 'input' | 'name'>>;
  deleteRole?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteRoleArgs, 'name'>>;
  deleteUser?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteUserArgs, 'userId'>>;
  grantRole?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationGrantRoleArgs, 'role' | 'userId'>>;
  login?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'email' | 'password'>>;
  logout?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, Partial<MutationLogoutArgs>>;
  logoutAll?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  refresh?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, Partial<MutationRefreshArgs>>;
  register?: Resolver<ResolversTypes['RegistrationPayload'], ParentType, ContextType, RequireFields<MutationRegisterArgs, 'email' | 'password'>>;
  renewConnection?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRenewConnectionArgs, 'accessToken'>>;
  requestPasswordReset?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRequestPasswordResetArgs, 'email'>>;
  resetPassword?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationResetPasswordArgs, 'newPassword' | 'token'>>;
  revokeRole?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationRevokeRoleArgs, 'role' | 'userId'>>;
  revokeSession?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeSessionArgs, 'sessionId'>>;
  revokeUserSessions?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationRevokeUserSessionsArgs, 'userId'>>;
  setUserClaims?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSetUserClaimsArgs, 'claims' | 'userId'>>;
  setUserDisabled?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSetUserDisabledArgs, 'disabled' | 'userId'>>;
  updateRole?: Resolver<ResolversTypes['Role'], ParentType, ContextType, RequireFields<MutationUpdateRoleArgs, 'input' | 'name'>>;
  verifyEmail?: Resolver<ResolversTypes['AuthPayload'], ParentType, ContextType, RequireFields<MutationVerifyEmailArgs, 'token'>>;
};

export type PostResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Post'] = ResolversParentTypes['Post']> = {
  authorId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  published?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  secretNote?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  auditLog?: Resolver<Array<ResolversTypes['AuditEvent']>, ParentType, ContextType, RequireFields<QueryAuditLogArgs, 'first'>>;
  drafts?: Resolver<Array<ResolversTypes['Post']>, ParentType, ContextType, RequireFields<QueryDraftsArgs, 'authorId'>>;
  me?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  post?: Resolver<Maybe<ResolversTypes['Post']>, ParentType, ContextType, RequireFields<QueryPostArgs, 'id'>>;
  posts?: Resolver<Array<ResolversTypes['Post']>, ParentType, ContextType, RequireFields<QueryPostsArgs, 'first'>>;
  roles?: Resolver<Array<ResolversTypes['Role']>, ParentType, ContextType>;
  sessions?: Resolver<Array<ResolversTypes['Session']>, ParentType, ContextType>;
  users?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType>;
  viewer?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
};

export type RegistrationPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RegistrationPayload'] = ResolversParentTypes['RegistrationPayload']> = {
  auth?: Resolver<Maybe<ResolversTypes['AuthPayload']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['RegistrationStatus'], ParentType, ContextType>;
};

export type RoleResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Role'] = ResolversParentTypes['Role']> = {
  claims?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  holders?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  permissions?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type SessionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  current?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ip?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastUsedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  postPublished?: SubscriptionResolver<ResolversTypes['Post'], "postPublished", ParentType, ContextType>;
};

export type TokenErrorResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TokenError'] = ResolversParentTypes['TokenError']> = {
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type UserResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  claims?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  disabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  posts?: Resolver<Array<ResolversTypes['Post']>, ParentType, ContextType>;
  roles?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ViewerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = {
  authenticated?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  claims?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  external?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  issuedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  issuer?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  subject?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tokenError?: Resolver<Maybe<ResolversTypes['TokenError']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphQLContext> = {
  AuditEvent?: AuditEventResolvers<ContextType>;
  AuthPayload?: AuthPayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Post?: PostResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RegistrationPayload?: RegistrationPayloadResolvers<ContextType>;
  Role?: RoleResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TokenError?: TokenErrorResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = GraphQLContext> = {
  public?: PublicDirectiveResolver<any, any, ContextType>;
  requiresClaims?: RequiresClaimsDirectiveResolver<any, any, ContextType>;
};
