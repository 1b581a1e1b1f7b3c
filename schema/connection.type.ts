import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { CircuitState } from '../src/connectors/breaker.js';
import { ConnectionStatus, Provider } from './enums.js';
import { Node } from './node.type.js';
import { DateTimeScalar } from './scalars.js';

registerEnumType(CircuitState, {
  name: 'CircuitState',
  description: "The circuit breaker in front of a connection's platform calls (in the gateway instance that answers).",
  valuesConfig: {
    CLOSED: { description: 'Calls go out; failures in a row are counted.' },
    OPEN: { description: 'The platform failed repeatedly: calls answer PROVIDER_UNAVAILABLE at once, without reaching it, until circuitOpenUntil.' },
    HALF_OPEN: { description: 'The cool-down is over: the next call goes out as a probe; success closes the circuit.' },
  },
});

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

  @Field(() => CircuitState, { description: "The circuit breaker in front of this connection's platform calls, in the instance that answers." })
  circuit!: CircuitState;

  @Field(() => DateTimeScalar, { nullable: true, description: 'While the circuit is OPEN: when the next call will be let through as a probe.' })
  circuitOpenUntil!: Date | null;
}

@ObjectType('AuthorizationRequest')
export class AuthorizationRequest {
  @Field(() => String, { description: 'Open this in a browser; the platform asks the user for consent and returns to the gateway.' })
  authorizeUrl!: string;

  @Field(() => ProviderConnection)
  connection!: ProviderConnection;
}
