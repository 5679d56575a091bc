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
export { serializeMessage } from "./serializer.js";
