import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('Money')
export class Money {
  @Field(() => Float)
  amount!: number;

  @Field(() => String, { description: 'ISO 4217 currency code.' })
  currency!: string;
}
