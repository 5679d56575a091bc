export {
  type CallAnsweredData,
  type CallEndedData,
  type CallOfferedData,
  type CallWebhookData,
  forwardAcdEvents,
  type SurveyCompletedData,
  surveyCompleted,
} from "./acd-events.js";
export { type DeliveryView, WebhookRepository, type WebhookView } from "./repository.js";
export {
  signature,
  type WebhookEvent,
  type WebhookPayload,
  Webhooks,
  type WebhooksOptions,
  webhookEvents,
} from "./webhooks.js";
