/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** SIP domain of the agents' accounts; default "localhost". */
  readonly VITE_SIP_DOMAIN?: string;
}
