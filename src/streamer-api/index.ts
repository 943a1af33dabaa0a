/** The StreamerAPI wire contract, shared by the client link and the self-hosted cloud. */
export * from './answers.js';
export * from './codes.js';
export * from './decode.js';
export * from './password.js';
export * from './paths.js';
export * from './requests.js';
