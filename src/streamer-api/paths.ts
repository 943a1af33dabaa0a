/**
 * Endpoints of the StreamerAPI dialect (protocol doc §1.4). Every call is a POST with a
 * JSON body, except `sendlogs` (multipart) and job downloads (GET on the link the cloud
 * gave in a `gcodes` command).
 */
export const STREAMER_API = {
  userLogin: '/streamerapi/user_login',
  printerLogin: '/streamerapi/printer_login',
  command: '/streamerapi/command',
  camera: '/streamerapi/camera',
  cameraJpeg: '/streamerapi/camera_image_jpeg',
  getQueuedJobs: '/streamerapi/get_queued_jobs',
  startQueuedJob: '/streamerapi/start_queued_job',
  sendLogs: '/streamerapi/sendlogs',
} as const;

export type StreamerEndpoint = keyof typeof STREAMER_API;

/** The answer size a client accepts from any endpoint; a larger body is garbage. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
