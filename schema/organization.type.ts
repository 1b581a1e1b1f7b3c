import { Field, ObjectType } from 'type-graphql';
import { Provider } from './enums.js';
import { Node } from './node.type.js';
import { JSONScalar } from './scalars.js';

@ObjectType('Organization', { implements: Node, description: 'A business on a platform (account, company, organization).' })
export class Organization extends Node {
  @Field(() => Provider)
  provider!: Provider;

  @Field(() => String, { description: "The platform's own id." })
  nativeId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone.' })
  timezone!: string | null;

  @Field(() => JSONScalar, { nullable: true })
  raw!: unknown;
}
