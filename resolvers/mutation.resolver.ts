import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Resolver } from 'type-graphql';
import { Booking } from '../schema/booking.type.js';
import { AuthorizationRequest, ProviderConnection } from '../schema/connection.type.js';
import { Customer } from '../schema/customer.type.js';
import { Provider } from '../schema/enums.js';
import { WebhookSubscription } from '../schema/events.type.js';
import { ConnectProviderInput, CreateBookingInput, CreateCustomerInput, SubscribeWebhookInput } from '../schema/inputs.js';
import type { GraphQLContext } from './context.js';

@Resolver()
export class MutationResolver {
  @Mutation(() => AuthorizationRequest, {
    description:
      "Starts the consent flow of a platform that connects through a person (OAuth authorization code). Open authorizeUrl (the gateway's /oauth/start/<id>) in the browser that should finish the flow: it sets a cookie the callback requires, then goes on to the platform.",
  })
  startConnection(
    @Arg('provider', () => Provider) provider: Provider,
    @Arg('sandbox', () => Boolean, { nullable: true, defaultValue: false }) sandbox: boolean,
    @Arg('connectionId', () => ID, {
      nullable: true,
      description: 'Re-authorize this existing connection (e.g. one in NEEDS_REAUTH) instead of making a new one; its records keep their IDs.',
    })
    connectionId: string | null,
    @Arg('write', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description:
        'Ask the platform for write access too (createBooking, cancelBooking, createCustomer); without it, platforms with scopes (yAppointment) grant reads only and writes answer FORBIDDEN.',
    })
    write: boolean,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.consent.start(ctx.tenant, provider, sandbox ?? false, { connectionId, write: write ?? false });
  }

  @Mutation(() => ProviderConnection, {
    description:
      'Connects a server-to-server platform with credentials, checked with the platform before anything is stored. Connecting an account the tenant already has connected updates that connection in place.',
  })
  connectProvider(@Arg('input', () => ConnectProviderInput) input: ConnectProviderInput, @Ctx() ctx: GraphQLContext) {
    return ctx.lifecycle.connect(ctx.tenant, {
      provider: input.provider,
      credentials: input.credentials,
      sandbox: input.sandbox ?? false,
      connectionId: input.connectionId ?? null,
    });
  }

  @Mutation(() => ProviderConnection)
  disconnectProvider(@Arg('connectionId', () => ID) connectionId: string, @Ctx() ctx: GraphQLContext) {
    return ctx.lifecycle.disconnect(ctx.tenant, connectionId);
  }

  @Mutation(() => Boolean, {
    description: 'Removes a connection record that is not ACTIVE (PENDING, ERROR, DISCONNECTED, NEEDS_REAUTH after disconnect); true when removed.',
  })
  deleteConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.lifecycle.delete(ctx.tenant, id);
  }

  @Mutation(() => Customer)
  createCustomer(@Arg('input', () => CreateCustomerInput) input: CreateCustomerInput, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.writes.createCustomer(ctx.scopeAt(info), input);
  }

  @Mutation(() => Booking)
  createBooking(@Arg('input', () => CreateBookingInput) input: CreateBookingInput, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo) {
    return ctx.writes.createBooking(ctx.scopeAt(info), input);
  }

  @Mutation(() => Booking)
  cancelBooking(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ctx.writes.cancelBooking(ctx.scopeAt(info), id, reason);
  }

  @Mutation(() => WebhookSubscription, {
    description:
      "Subscribes to a connection's booking events: delivered to bookingEvents subscribers and, with a targetUrl, as signed POSTs (Standard Webhooks). Answers the signingSecret once.",
  })
  subscribeWebhook(@Arg('input', () => SubscribeWebhookInput) input: SubscribeWebhookInput, @Ctx() ctx: GraphQLContext) {
    return ctx.webhooks.subscribe(ctx.tenant, input);
  }

  @Mutation(() => Boolean, { description: 'Removes a subscription, what the gateway registered for it at the platform, and its pending deliveries.' })
  unsubscribeWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.webhooks.unsubscribe(ctx.tenant, id);
  }

  @Mutation(() => WebhookSubscription, { description: 'A new signingSecret; the old one keeps verifying for 24 hours (both signatures are sent).' })
  rotateWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return ctx.webhooks.rotate(ctx.tenant, id);
  }

  @Mutation(() => Int, { description: 'Queues FAILED deliveries of a subscription again (all of them, or those with these ids).' })
  replayWebhookDeliveries(
    @Arg('subscriptionId', () => ID) subscriptionId: string,
    @Arg('deliveryIds', () => [ID], { nullable: true }) deliveryIds: string[] | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.webhooks.replay(ctx.tenant, subscriptionId, deliveryIds);
  }

  @Mutation(() => String, {
    description:
      "For platforms whose webhooks are set up in their web app (yAppointment, Appointedd): stores the secret that web app shows for the gateway's receiver, so its pushes verify. Answers the receiver URL to paste there.",
  })
  setWebhookReceiverSecret(@Arg('connectionId', () => ID) connectionId: string, @Arg('secret', () => String) secret: string, @Ctx() ctx: GraphQLContext) {
    return ctx.webhooks.setReceiverSecret(ctx.tenant, connectionId, secret);
  }
}
