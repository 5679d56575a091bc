export {
  buildCancel,
  createResponse,
  newBranch,
  newCallId,
  newTag,
  type ResponseOptions,
} from "./builders.js";
export { type Clock, FakeClock, RealClock, type TimerId } from "./clock.js";
export {
  Dialog,
  type DialogEvents,
  type DialogOptions,
  type InDialogOptions,
  parseReferTo,
} from "./dialog.js";
export {
  authorizeRequest,
  type DigestAlgorithm,
  DigestAuthenticator,
  type DigestEvents,
  type DigestOptions,
  digestResponse,
  type Lockout,
  parseDigest,
} from "./digest.js";
export {
  SipError,
  SipParseError,
  type SipParseErrorCode,
  SipStackError,
  type SipStackErrorCode,
} from "./errors.js";
export {
  type CSeq,
  type NameAddr,
  type Params,
  parseNameAddr,
  parseUri,
  type SipUri,
  serializeNameAddr,
  serializeUri,
  serializeVia,
  unescapeUri,
  type Via,
} from "./grammar.js";
export {
  canonicalName,
  REASONS,
  type SipHeader,
  SipHeaders,
  type SipMessage,
  SipRequest,
  SipResponse,
} from "./message.js";
export {
  DEFAULT_LIMITS,
  type FramedItem,
  type ParseLimits,
  parseMessage,
  SipStreamFramer,
} from "./parser.js";
export { aorOf, type Binding, Registrar, type RegistrarEvents, type RegistrarOptions } from "./registrar.js";
export { Registration, type RegistrationEvents, type RegistrationOptions } from "./registration.js";
export { serializeMessage } from "./serializer.js";
export { type CreateSipStackOptions, createSipStack } from "./server.js";
export {
  DEFAULT_SCANNERS,
  IncomingRequest,
  type NewRequestOptions,
  type OutgoingInvite,
  type RequestHandler,
  type SendOptions,
  SipStack,
  type SipStackOptions,
  type StackEvents,
} from "./stack.js";
export { DEFAULT_TIMERS, type TimerConfig } from "./transaction/base.js";
export type { InviteClientState } from "./transaction/invite-client.js";
export type { InviteServerState } from "./transaction/invite-server.js";
export type { NonInviteClientState } from "./transaction/non-invite-client.js";
export type { NonInviteServerState } from "./transaction/non-invite-server.js";
export { type TcpOptions, TcpTransport } from "./transport/tcp.js";
export type { Endpoint, Transport, TransportEvents, TransportProtocol } from "./transport/types.js";
export { type UdpOptions, UdpTransport } from "./transport/udp.js";
export { type WsOptions, WsTransport } from "./transport/ws.js";
