import { Field, ObjectType } from 'type-graphql';
import { ConnectionStatus, Provider } from './enums.js';
import { Node } from './node.type.js';
import { DateTimeScalar } from './scalars.js';

@ObjectType('ProviderConnection', { implements: Node, description: "One tenant's link to one account on one platform, with its own tokens." })
export class ProviderConnection extends Node {
  @Field(() => Provider)
  provider!: Provider;

  @Field(() => ConnectionStatus)
  status!: ConnectionStatus;

  @Field(() => String, { nullable: true, description: 'Why the status is not ACTIVE, in words a person can act on.' })
  statusReason!: string | null;

  @Field(() => String, { nullable: true, description: 'What is connected, in words (account names).' })
  label!: string | null;

  @Field(() => Boolean, { description: "True when the connection uses the platform's sandbox hosts." })
  sandbox!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  accessTokenExpiresAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastRefreshedAt!: Date | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('AuthorizationRequest')
export class AuthorizationRequest {
  @Field(() => String, { description: 'Open this in a browser; the platform asks the user for consent and returns to the gateway.' })
  authorizeUrl!: string;

  @Field(() => ProviderConnection)
  connection!: ProviderConnection;
}
