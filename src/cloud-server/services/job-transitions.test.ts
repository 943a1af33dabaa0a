import { describe, expect, it } from 'vitest';
import { type JobFacts, jobChange, OUTCOME, type ReportFacts } from './job-transitions.js';

const job = (over: Partial<JobFacts> = {}): JobFacts => ({
  id: 7,
  status: 'printing',
  percent: 40,
  cancelRequested: false,
  lost: false,
  ...over,
});

describe('jobChange', () => {
  const cases: [string, JobFacts, ReportFacts, ReturnType<typeof jobChange>][] = [
    [
      'starting → downloading',
      job({ status: 'starting', percent: 0 }),
      { state: 'downloading', percent: 30, jobId: '7' },
      { kind: 'progress', status: 'downloading', percent: 30 },
    ],
    [
      'progress without a job id',
      job(),
      { state: 'printing', percent: 60 },
      { kind: 'progress', status: 'printing', percent: 60 },
    ],
    ['another job is ignored', job(), { state: 'printing', percent: 60, jobId: '8' }, null],
    [
      'starting ignores a report without its id',
      job({ status: 'starting' }),
      { state: 'printing', percent: 5 },
      null,
    ],
    [
      'end event then ready completes',
      job({ percent: 100 }),
      { state: 'ready', percent: 100 },
      { kind: 'final', status: 'completed', outcome: OUTCOME.completed },
    ],
    [
      'ready short of 100 % fails',
      job(),
      { state: 'ready' },
      { kind: 'final', status: 'failed', outcome: OUTCOME.stoppedEarly },
    ],
    ['ready while downloading waits', job({ status: 'downloading' }), { state: 'ready' }, null],
    [
      'ready after a cancel request',
      job({ cancelRequested: true }),
      { state: 'ready' },
      { kind: 'final', status: 'cancelled', outcome: OUTCOME.cancelled },
    ],
    [
      'cancel event',
      job(),
      { state: 'cancel' },
      { kind: 'final', status: 'cancelled', outcome: OUTCOME.cancelledOnPrinter },
    ],
    [
      'blocking error',
      job(),
      { state: 'error', blockingError: 'Thermal runaway' },
      { kind: 'final', status: 'failed', outcome: 'Thermal runaway' },
    ],
    [
      'finished jobs do not move',
      job({ status: 'completed' }),
      { state: 'printing', percent: 5, jobId: '7' },
      null,
    ],
    [
      'lost job revived by its id',
      job({ status: 'failed', lost: true }),
      { state: 'printing', percent: 70, jobId: '7' },
      { kind: 'progress', status: 'printing', percent: 70 },
    ],
    [
      'lost job finished by the end event',
      job({ status: 'failed', lost: true }),
      { state: 'printing', percent: 100 },
      { kind: 'progress', status: 'printing', percent: 100 },
    ],
    [
      'lost job stays lost on ready',
      job({ status: 'failed', lost: true }),
      { state: 'ready' },
      null,
    ],
    [
      'lost job ignores progress without id',
      job({ status: 'failed', lost: true }),
      { state: 'printing', percent: 50 },
      null,
    ],
  ];
  it.each(cases)('%s', (_name, facts, report, expected) => {
    expect(jobChange(facts, report)).toEqual(expected);
  });
});
