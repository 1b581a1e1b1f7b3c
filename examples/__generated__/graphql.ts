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
  /** An ISO-8601 date-time in UTC, e.g. 2026-11-23T14:30:00.000Z. */
  DateTime: { input: string; output: string; }
  /** Arbitrary JSON: the platform's own record, untouched. */
  JSON: { input: unknown; output: unknown; }
};

export type AuthorizationRequest = {
  __typename?: 'AuthorizationRequest';
  /** Open this in a browser; the platform asks the user for consent and returns to the gateway. */
  authorizeUrl: Scalars['String']['output'];
  connection: ProviderConnection;
};

export type Booking = Node & {
  __typename?: 'Booking';
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  customer?: Maybe<Customer>;
  endsAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  nativeId: Scalars['String']['output'];
  organization: Organization;
  provider: Provider;
  raw?: Maybe<Scalars['JSON']['output']>;
  service?: Maybe<Service>;
  startsAt: Scalars['DateTime']['output'];
  status: BookingStatus;
  /** IANA time zone the booking was made in. */
  timezone?: Maybe<Scalars['String']['output']>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type BookingConnection = {
  __typename?: 'BookingConnection';
  edges: Array<BookingEdge>;
  pageInfo: PageInfo;
};

export type BookingEdge = {
  __typename?: 'BookingEdge';
  cursor: Scalars['String']['output'];
  node: Booking;
};

export type BookingEvent = {
  __typename?: 'BookingEvent';
  booking: Booking;
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  provider: Provider;
  type: BookingEventType;
};

export type BookingEventType =
  | 'BOOKING_CANCELED'
  | 'BOOKING_CREATED'
  | 'BOOKING_ENDED'
  | 'BOOKING_STARTED'
  | 'BOOKING_STARTING_SOON';

export type BookingFilter = {
  providers?: InputMaybe<Array<Provider>>;
  /** Bookings starting at or after this instant. */
  startsAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Bookings starting before this instant. */
  startsBefore?: InputMaybe<Scalars['DateTime']['input']>;
  status?: InputMaybe<Array<BookingStatus>>;
};

export type BookingStatus =
  | 'CANCELED'
  | 'COMPLETED'
  | 'CONFIRMED'
  | 'NO_SHOW'
  | 'PENDING';

/** The circuit breaker in front of a connection's platform calls (in the gateway instance that answers). */
export type CircuitState =
  /** Calls go out; failures in a row are counted. */
  | 'CLOSED'
  /** The cool-down is over: the next call goes out as a probe; success closes the circuit. */
  | 'HALF_OPEN'
  /** The platform failed repeatedly: calls answer PROVIDER_UNAVAILABLE at once, without reaching it, until circuitOpenUntil. */
  | 'OPEN';

export type ConnectProviderInput = {
  /** Repair this existing connection (e.g. one in NEEDS_REAUTH) in place instead of making a new one; its records keep their IDs. */
  connectionId?: InputMaybe<Scalars['ID']['input']>;
  /** Credentials for server-to-server platforms (client id/secret, refresh token, company API key, ...). */
  credentials: Scalars['JSON']['input'];
  provider: Provider;
  /** Use the platform's sandbox hosts rather than production. */
  sandbox?: InputMaybe<Scalars['Boolean']['input']>;
};

export type ConnectionStatus =
  | 'ACTIVE'
  | 'DISCONNECTED'
  | 'ERROR'
  | 'NEEDS_REAUTH'
  | 'PENDING';

export type CreateBookingInput = {
  customerId: Scalars['ID']['input'];
  /** Repeat a request with the same key and get the same booking back, never a second one. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  serviceId: Scalars['ID']['input'];
  startsAt: Scalars['DateTime']['input'];
};

export type CreateCustomerInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  firstName: Scalars['String']['input'];
  lastName: Scalars['String']['input'];
  organizationId: Scalars['ID']['input'];
  phone?: InputMaybe<Scalars['String']['input']>;
};

export type Customer = Node & {
  __typename?: 'Customer';
  bookings: BookingConnection;
  email?: Maybe<Scalars['String']['output']>;
  firstName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lastName?: Maybe<Scalars['String']['output']>;
  nativeId: Scalars['String']['output'];
  organization: Organization;
  phone?: Maybe<Scalars['String']['output']>;
  provider: Provider;
  raw?: Maybe<Scalars['JSON']['output']>;
};


export type CustomerBookingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<BookingFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  edges: Array<CustomerEdge>;
  pageInfo: PageInfo;
};

export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  cursor: Scalars['String']['output'];
  node: Customer;
};

export type Money = {
  __typename?: 'Money';
  amount: Scalars['Float']['output'];
  /** ISO 4217 currency code. */
  currency: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  cancelBooking: Booking;
  /** Connects a server-to-server platform with credentials, checked with the platform before anything is stored. Connecting an account the tenant already has connected updates that connection in place. */
  connectProvider: ProviderConnection;
  createBooking: Booking;
  createCustomer: Customer;
  /** Removes a connection record that is not ACTIVE (PENDING, ERROR, DISCONNECTED, NEEDS_REAUTH after disconnect); true when removed. */
  deleteConnection: Scalars['Boolean']['output'];
  disconnectProvider: ProviderConnection;
  /** Queues FAILED deliveries of a subscription again (all of them, or those with these ids). */
  replayWebhookDeliveries: Scalars['Int']['output'];
  /** A new signingSecret; the old one keeps verifying for 24 hours (both signatures are sent). */
  rotateWebhookSecret: WebhookSubscription;
  /** For platforms whose webhooks are set up in their web app (yAppointment, Appointedd): stores the secret that web app shows for the gateway's receiver, so its pushes verify. Answers the receiver URL to paste there. */
  setWebhookReceiverSecret: Scalars['String']['output'];
  /** Starts the consent flow of a platform that connects through a person (OAuth authorization code). Open authorizeUrl (the gateway's /oauth/start/<id>) in the browser that should finish the flow: it sets a cookie the callback requires, then goes on to the platform. */
  startConnection: AuthorizationRequest;
  /** Subscribes to a connection's booking events: delivered to bookingEvents subscribers and, with a targetUrl, as signed POSTs (Standard Webhooks). Answers the signingSecret once. */
  subscribeWebhook: WebhookSubscription;
  /** Removes a subscription, what the gateway registered for it at the platform, and its pending deliveries. */
  unsubscribeWebhook: Scalars['Boolean']['output'];
};


export type MutationCancelBookingArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationConnectProviderArgs = {
  input: ConnectProviderInput;
};


export type MutationCreateBookingArgs = {
  input: CreateBookingInput;
};


export type MutationCreateCustomerArgs = {
  input: CreateCustomerInput;
};


export type MutationDeleteConnectionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDisconnectProviderArgs = {
  connectionId: Scalars['ID']['input'];
};


export type MutationReplayWebhookDeliveriesArgs = {
  deliveryIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  subscriptionId: Scalars['ID']['input'];
};


export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetWebhookReceiverSecretArgs = {
  connectionId: Scalars['ID']['input'];
  secret: Scalars['String']['input'];
};


export type MutationStartConnectionArgs = {
  connectionId?: InputMaybe<Scalars['ID']['input']>;
  provider: Provider;
  sandbox?: InputMaybe<Scalars['Boolean']['input']>;
  write?: InputMaybe<Scalars['Boolean']['input']>;
};


export type MutationSubscribeWebhookArgs = {
  input: SubscribeWebhookInput;
};


export type MutationUnsubscribeWebhookArgs = {
  id: Scalars['ID']['input'];
};

/** Relay global object identification. IDs are opaque; they encode the provider, connection and native id. */
export type Node = {
  id: Scalars['ID']['output'];
};

/** A business on a platform (account, company, organization). */
export type Organization = Node & {
  __typename?: 'Organization';
  bookings: BookingConnection;
  connection: ProviderConnection;
  customers: CustomerConnection;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** The platform's own id. */
  nativeId: Scalars['String']['output'];
  provider: Provider;
  raw?: Maybe<Scalars['JSON']['output']>;
  services: ServiceConnection;
  /** IANA time zone. */
  timezone?: Maybe<Scalars['String']['output']>;
};


/** A business on a platform (account, company, organization). */
export type OrganizationBookingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<BookingFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A business on a platform (account, company, organization). */
export type OrganizationCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


/** A business on a platform (account, company, organization). */
export type OrganizationServicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** The booking platforms Bookgraph connects to. */
export type Provider =
  /** Appointedd */
  | 'APPOINTEDD'
  /** bookingtime */
  | 'BOOKINGTIME'
  /** DaySchedule */
  | 'DAYSCHEDULE'
  /** OnSched */
  | 'ONSCHED'
  /** yAppointment */
  | 'YAPPOINTMENT';

/** One tenant's link to one account on one platform, with its own tokens. */
export type ProviderConnection = Node & {
  __typename?: 'ProviderConnection';
  accessTokenExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** The circuit breaker in front of this connection's platform calls, in the instance that answers. */
  circuit: CircuitState;
  /** While the circuit is OPEN: when the next call will be let through as a probe. */
  circuitOpenUntil?: Maybe<Scalars['DateTime']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** What is connected, in words (account names). */
  label?: Maybe<Scalars['String']['output']>;
  lastRefreshedAt?: Maybe<Scalars['DateTime']['output']>;
  organizations: Array<Organization>;
  provider: Provider;
  /** True when the connection uses the platform's sandbox hosts. */
  sandbox: Scalars['Boolean']['output'];
  status: ConnectionStatus;
  /** Why the status is not ACTIVE, in words a person can act on. */
  statusReason?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  availability: Array<TimeSlot>;
  /** Every connected platform at once, merged and ordered by startsAt. */
  bookings: BookingConnection;
  connections: Array<ProviderConnection>;
  customers: CustomerConnection;
  /** Any object by its global ID; null for unknown IDs and IDs of other tenants. */
  node?: Maybe<Node>;
  organizations: Array<Organization>;
  services: ServiceConnection;
  webhookSubscriptions: Array<WebhookSubscription>;
};


export type QueryAvailabilityArgs = {
  from: Scalars['DateTime']['input'];
  serviceId: Scalars['ID']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryBookingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<BookingFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  providers?: InputMaybe<Array<Provider>>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrganizationsArgs = {
  providers?: InputMaybe<Array<Provider>>;
};


export type QueryServicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  providers?: InputMaybe<Array<Provider>>;
};

/** Something a customer can book. */
export type Service = Node & {
  __typename?: 'Service';
  description?: Maybe<Scalars['String']['output']>;
  durationMinutes?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  nativeId: Scalars['String']['output'];
  organization: Organization;
  price?: Maybe<Money>;
  provider: Provider;
  raw?: Maybe<Scalars['JSON']['output']>;
};

export type ServiceConnection = {
  __typename?: 'ServiceConnection';
  edges: Array<ServiceEdge>;
  pageInfo: PageInfo;
};

export type ServiceEdge = {
  __typename?: 'ServiceEdge';
  cursor: Scalars['String']['output'];
  node: Service;
};

export type SubscribeWebhookInput = {
  connectionId: Scalars['ID']['input'];
  events: Array<BookingEventType>;
  targetUrl?: InputMaybe<Scalars['String']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  bookingEvents: BookingEvent;
  connectionStatusChanged: ProviderConnection;
};


export type SubscriptionBookingEventsArgs = {
  providers?: InputMaybe<Array<Provider>>;
  types?: InputMaybe<Array<BookingEventType>>;
};

export type TimeSlot = {
  __typename?: 'TimeSlot';
  available?: Maybe<Scalars['Int']['output']>;
  endsAt: Scalars['DateTime']['output'];
  service: Service;
  startsAt: Scalars['DateTime']['output'];
};

export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  attempts: Scalars['Int']['output'];
  event: BookingEvent;
  /** The webhook-id header value; the same on every attempt and on a replay. */
  id: Scalars['ID']['output'];
  lastAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** Why the last attempt failed (timeout, connection refused, HTTP 500, ...); null when delivered. */
  lastError?: Maybe<Scalars['String']['output']>;
  /** HTTP status of the last attempt; null when it got no answer. */
  lastStatusCode?: Maybe<Scalars['Int']['output']>;
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  status: WebhookDeliveryStatus;
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  edges: Array<WebhookDeliveryEdge>;
  pageInfo: PageInfo;
};

export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

export type WebhookDeliveryStatus =
  /** Answered 2xx. */
  | 'DELIVERED'
  /** Retries exhausted; kept until replayed. */
  | 'FAILED'
  /** Waiting for its first attempt or for a retry. */
  | 'PENDING';

export type WebhookMode =
  /** The platform calls the gateway (registered through the platform's API). */
  | 'NATIVE'
  /** The platform has no usable webhook API; the gateway detects changes itself. */
  | 'POLLING';

export type WebhookSubscription = Node & {
  __typename?: 'WebhookSubscription';
  connection: ProviderConnection;
  createdAt: Scalars['DateTime']['output'];
  /** Deliveries to targetUrl, newest first. */
  deliveries: WebhookDeliveryConnection;
  events: Array<BookingEventType>;
  id: Scalars['ID']['output'];
  mode: WebhookMode;
  /**
   * The gateway's own receiver for this subscription's platform webhooks: registered at the platform by
   * the gateway where the platform has a webhook API (NATIVE); for platforms whose webhooks are set up in
   * their web app, the URL an operator pastes there (then pushed events arrive at once, and polling
   * remains as reconciliation). Null where the platform cannot push at all.
   */
  receiverUrl?: Maybe<Scalars['String']['output']>;
  /**
   * The Standard Webhooks secret (whsec_ followed by base64) that signs every delivery to targetUrl.
   * Returned by subscribeWebhook and rotateWebhookSecret only; null everywhere else.
   */
  signingSecret?: Maybe<Scalars['String']['output']>;
  /** Where the gateway also POSTs each event, signed; null for GraphQL-subscription-only delivery. */
  targetUrl?: Maybe<Scalars['String']['output']>;
};


export type WebhookSubscriptionDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
};

export type CreateBookingMutationVariables = Exact<{
  input: CreateBookingInput;
}>;


export type CreateBookingMutation = { __typename?: 'Mutation', createBooking: { __typename?: 'Booking', id: string, status: BookingStatus, startsAt: string, endsAt: string, provider: Provider } };

export type ConnectionsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConnectionsQuery = { __typename?: 'Query', connections: Array<{ __typename?: 'ProviderConnection', id: string, provider: Provider, status: ConnectionStatus, statusReason?: string | null, label?: string | null, accessTokenExpiresAt?: string | null, organizations: Array<{ __typename?: 'Organization', id: string, name: string, timezone?: string | null }> }> };

export type UpcomingBookingsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<BookingFilter>;
}>;


export type UpcomingBookingsQuery = { __typename?: 'Query', bookings: { __typename?: 'BookingConnection', edges: Array<{ __typename?: 'BookingEdge', cursor: string, node: { __typename?: 'Booking', id: string, provider: Provider, status: BookingStatus, startsAt: string, endsAt: string, timezone?: string | null, service?: { __typename?: 'Service', name: string, durationMinutes?: number | null } | null, customer?: { __typename?: 'Customer', firstName?: string | null, lastName?: string | null, email?: string | null } | null, organization: { __typename?: 'Organization', name: string } } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } };


export const CreateBookingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateBooking"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateBookingInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createBooking"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"startsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}}]}}]} as unknown as DocumentNode<CreateBookingMutation, CreateBookingMutationVariables>;
export const ConnectionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Connections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"organizations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}}]}}]}}]}}]} as unknown as DocumentNode<ConnectionsQuery, ConnectionsQueryVariables>;
export const UpcomingBookingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UpcomingBookings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"BookingFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bookings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"startsAt"}},{"kind":"Field","name":{"kind":"Name","value":"endsAt"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"service"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"durationMinutes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<UpcomingBookingsQuery, UpcomingBookingsQueryVariables>;