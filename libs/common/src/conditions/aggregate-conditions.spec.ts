import {
  type AdapterReport,
  type AggregationInput,
  type ReportedCondition,
  type ResourceCondition,
  adapterConditionType,
  aggregateConditions,
  sameConditions,
} from './aggregate-conditions';

const CREATED = '2026-11-24T12:00:00.000Z';
const T1 = '2026-11-24T12:01:00.000Z';
const T2 = '2026-11-24T12:02:00.000Z';
const T3 = '2026-11-24T12:03:00.000Z';
const PATCHED = '2026-11-24T12:10:00.000Z';
const T4 = '2026-11-24T12:11:00.000Z';
const T5 = '2026-11-24T12:12:00.000Z';

const CLUSTER_ADAPTERS = ['validation', 'dns', 'pullsecret', 'hypershift'];
const TWO = ['validation', 'dns'];

function report(
  adapter: string,
  observedGeneration: number,
  available: ReportedCondition['status'] | null,
  lastReportTime: string,
  extra: ReportedCondition[] = [],
): AdapterReport {
  const conditions: ReportedCondition[] = [
    { type: 'Applied', status: 'True', reason: 'Applied', message: 'applied' },
    { type: 'Health', status: 'True', reason: 'Healthy', message: 'healthy' },
    ...extra,
  ];
  if (available) {
    const text = { reason: `Is${available}`, message: `${adapter} ${available}` };
    conditions.unshift({ type: 'Available', status: available, ...text });
  }
  return { adapter, observedGeneration, conditions, lastReportTime };
}

function input(overrides: Partial<AggregationInput>): AggregationInput {
  return {
    generation: 1,
    refTime: CREATED,
    requiredAdapters: TWO,
    statuses: [],
    previous: [],
    deleting: false,
    hasActiveChildren: false,
    ...overrides,
  };
}

function times(created: string, updated: string, transition: string) {
  return { created_time: created, last_updated_time: updated, last_transition_time: transition };
}

function adapterCondition(
  adapter: string,
  available: 'True' | 'False',
  generation: number,
  rest: { created_time: string; last_updated_time: string; last_transition_time: string },
): ResourceCondition {
  return {
    type: adapterConditionType(adapter),
    status: available,
    reason: `Is${available}`,
    message: `${adapter} ${available}`,
    observed_generation: generation,
    ...rest,
  };
}

const LKR_TRUE = {
  type: 'LastKnownReconciled',
  status: 'True',
  reason: 'AllAdaptersReconciled',
  message: 'All required adapters report Available=True for the tracked generation',
} as const;
const LKR_MISSING = {
  type: 'LastKnownReconciled',
  status: 'False',
  reason: 'AdaptersMissingReports',
  message: 'Required adapters have not yet reported status',
} as const;
const RECONCILED_TRUE = {
  type: 'Reconciled',
  status: 'True',
  reason: 'ReconciledAll',
  message: 'All required adapters reported Available=True or Finalized=True at the current generation',
} as const;

function reconciledMissing(notReady: string, reporting: string, verb = 'Available') {
  return {
    type: 'Reconciled',
    status: 'False',
    reason: 'ReconciledMissingAdapters',
    message: `Required adapters not reporting ${verb}=True: [${notReady}]. Currently reporting: [${reporting}]`,
  } as const;
}

// validation and dns both Available=True at generation 1; dns reported first.
function allTrueAtGeneration1(): ResourceCondition[] {
  return aggregateConditions(
    input({ statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'True', T1)] }),
  );
}

describe(aggregateConditions.name, () => {
  it('gives a new resource Reconciled and LastKnownReconciled False at the creation time (B7)', () => {
    const result = aggregateConditions(input({ requiredAdapters: CLUSTER_ADAPTERS }));

    expect(result).toStrictEqual([
      {
        ...reconciledMissing('dns, hypershift, pullsecret, validation', ''),
        observed_generation: 1,
        ...times(CREATED, CREATED, CREATED),
      },
      { ...LKR_MISSING, observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
    ]);
  });

  it('sets Reconciled observed_generation to G, LastKnownReconciled to 1, when nothing reported', () => {
    const result = aggregateConditions(input({ generation: 3, refTime: PATCHED }));

    expect(result).toStrictEqual([
      { ...reconciledMissing('dns, validation', ''), observed_generation: 3, ...times(PATCHED, PATCHED, PATCHED) },
      { ...LKR_MISSING, observed_generation: 1, ...times(PATCHED, PATCHED, PATCHED) },
    ]);
  });

  it('gives Reconciled/LastKnownReconciled False with empty lists when R is empty', () => {
    const result = aggregateConditions(
      input({ requiredAdapters: [], statuses: [report('validation', 1, 'True', T1)] }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('', ''), observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
      { ...LKR_MISSING, observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
    ]);
  });

  it('reports True when every required adapter is Available=True at G', () => {
    const previous = aggregateConditions(input({}));

    const result = aggregateConditions(
      input({ previous, statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'True', T1)] }),
    );

    // last_updated_time is the earliest report; the transition happens then.
    expect(result).toStrictEqual([
      { ...RECONCILED_TRUE, observed_generation: 1, ...times(CREATED, T1, T1) },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T1, T1) },
      adapterCondition('validation', 'True', 1, times(CREATED, T2, T2)),
      adapterCondition('dns', 'True', 1, times(CREATED, T1, T1)),
    ]);
  });

  it('compares report times as instants and keeps the original string', () => {
    const result = aggregateConditions(
      input({
        statuses: [
          report('validation', 1, 'True', '2026-11-24T12:00:30.5Z'),
          report('dns', 1, 'True', '2026-11-24T13:00:31+01:00'),
        ],
      }),
    );

    expect(result[0].last_updated_time).toBe('2026-11-24T12:00:30.5Z');
    expect(result[1].last_updated_time).toBe('2026-11-24T12:00:30.5Z');
  });

  it('reports Reconciled False and names the adapter that reports Available=False', () => {
    const result = aggregateConditions(
      input({ statuses: [report('validation', 1, 'True', T1), report('dns', 1, 'False', T2)] }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('dns', 'dns, validation'), observed_generation: 1, ...times(CREATED, T1, T1) },
      {
        type: 'LastKnownReconciled',
        status: 'False',
        reason: 'AdapterReportedNotAvailable',
        message: 'One or more required adapters report Available=False',
        observed_generation: 1,
        ...times(CREATED, T1, T1),
      },
      adapterCondition('validation', 'True', 1, times(CREATED, T1, T1)),
      adapterCondition('dns', 'False', 1, times(CREATED, T2, T2)),
    ]);
  });

  it('turns Reconciled False at T_ref when a PATCH bumps G, keeping LastKnownReconciled True', () => {
    const previous = allTrueAtGeneration1();

    const result = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous,
        statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'True', T1)],
      }),
    );

    expect(result).toStrictEqual([
      {
        ...reconciledMissing('dns, validation', 'dns, validation'),
        observed_generation: 2,
        ...times(CREATED, PATCHED, PATCHED),
      },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T1, T1) },
      adapterCondition('validation', 'True', 1, times(CREATED, T2, T2)),
      adapterCondition('dns', 'True', 1, times(CREATED, T1, T1)),
    ]);
  });

  it('uses T_ref, not the earliest report, for a True→False caused by a generation bump', () => {
    const result = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous: allTrueAtGeneration1(),
        statuses: [report('validation', 2, 'True', T4), report('dns', 1, 'True', T1)],
      }),
    );

    expect(result[0]).toStrictEqual({
      ...reconciledMissing('dns', 'dns, validation'),
      observed_generation: 2,
      ...times(CREATED, T4, PATCHED),
    });
  });

  it('keeps LastKnownReconciled True at the tracked generation while adapters catch up (mixed)', () => {
    const bumped = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous: allTrueAtGeneration1(),
        statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'True', T1)],
      }),
    );

    const result = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous: bumped,
        statuses: [report('validation', 2, 'True', T4), report('dns', 1, 'True', T1)],
      }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('dns', 'dns, validation'), observed_generation: 2, ...times(CREATED, T4, PATCHED) },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T1, T1) },
      adapterCondition('validation', 'True', 2, times(CREATED, T4, T2)),
      adapterCondition('dns', 'True', 1, times(CREATED, T1, T1)),
    ]);
  });

  it('keeps LastKnownReconciled True when Available=False arrives at a newer generation', () => {
    const bumped = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous: allTrueAtGeneration1(),
        statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'True', T1)],
      }),
    );

    const result = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        previous: bumped,
        statuses: [report('validation', 1, 'True', T2), report('dns', 2, 'False', T4)],
      }),
    );

    expect(result).toStrictEqual([
      {
        ...reconciledMissing('dns, validation', 'dns, validation'),
        observed_generation: 2,
        ...times(CREATED, T4, PATCHED),
      },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T1, T1) },
      adapterCondition('validation', 'True', 1, times(CREATED, T2, T2)),
      adapterCondition('dns', 'False', 2, times(CREATED, T4, T4)),
    ]);
  });

  it('turns LastKnownReconciled False when an adapter reports Available=False at the tracked generation', () => {
    const result = aggregateConditions(
      input({
        previous: allTrueAtGeneration1(),
        statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'False', T3)],
      }),
    );

    // No generation bump: the transition time is the new last_updated_time, not T_ref.
    expect(result).toStrictEqual([
      { ...reconciledMissing('dns', 'dns, validation'), observed_generation: 1, ...times(CREATED, T2, T2) },
      {
        type: 'LastKnownReconciled',
        status: 'False',
        reason: 'AdapterReportedNotAvailable',
        message: 'One or more required adapters report Available=False',
        observed_generation: 1,
        ...times(CREATED, T2, T2),
      },
      adapterCondition('validation', 'True', 1, times(CREATED, T2, T2)),
      adapterCondition('dns', 'False', 1, times(CREATED, T3, T3)),
    ]);
  });

  it('reports AdaptersNotAtSameGeneration for all-True mixed generations with no True before', () => {
    const result = aggregateConditions(
      input({
        generation: 2,
        refTime: PATCHED,
        statuses: [report('validation', 2, 'True', T4), report('dns', 1, 'True', T1)],
      }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('dns', 'dns, validation'), observed_generation: 2, ...times(PATCHED, T4, T4) },
      {
        type: 'LastKnownReconciled',
        status: 'False',
        reason: 'AdaptersNotAtSameGeneration',
        message: 'Required adapters do not report a consistent Available state',
        observed_generation: 2,
        ...times(PATCHED, PATCHED, PATCHED),
      },
      adapterCondition('validation', 'True', 2, times(PATCHED, T4, T4)),
      adapterCondition('dns', 'True', 1, times(PATCHED, T1, T1)),
    ]);
  });

  it('ignores reports for a generation ahead of the resource', () => {
    const result = aggregateConditions(
      input({ statuses: [report('validation', 2, 'True', T2), report('dns', 1, 'True', T1)] }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('validation', 'dns'), observed_generation: 1, ...times(CREATED, T1, T1) },
      { ...LKR_MISSING, observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
      adapterCondition('dns', 'True', 1, times(CREATED, T1, T1)),
    ]);
  });

  it('treats Available=Unknown or a missing Available as not reported', () => {
    const result = aggregateConditions(
      input({ statuses: [report('validation', 1, 'Unknown', T2), report('dns', 1, null, T1)] }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('dns, validation', ''), observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
      { ...LKR_MISSING, observed_generation: 1, ...times(CREATED, CREATED, CREATED) },
    ]);
  });

  it('never lets adapters outside R appear or count', () => {
    const result = aggregateConditions(
      input({
        requiredAdapters: ['validation'],
        statuses: [report('gcp-provisioner', 1, 'False', T1), report('validation', 1, 'True', T2)],
      }),
    );

    expect(result).toStrictEqual([
      { ...RECONCILED_TRUE, observed_generation: 1, ...times(CREATED, T2, T2) },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T2, T2) },
      adapterCondition('validation', 'True', 1, times(CREATED, T2, T2)),
    ]);
  });

  it('yields one condition per adapter named twice in R', () => {
    const result = aggregateConditions(
      input({ requiredAdapters: ['validation', 'validation'], statuses: [report('validation', 1, 'False', T1)] }),
    );

    expect(result).toStrictEqual([
      { ...reconciledMissing('validation', 'validation'), observed_generation: 1, ...times(CREATED, T1, T1) },
      {
        type: 'LastKnownReconciled',
        status: 'False',
        reason: 'AdapterReportedNotAvailable',
        message: 'One or more required adapters report Available=False',
        observed_generation: 1,
        ...times(CREATED, T1, T1),
      },
      adapterCondition('validation', 'False', 1, times(CREATED, T1, T1)),
    ]);
  });

  it('orders per-adapter conditions by R, whatever the order of the statuses', () => {
    const result = aggregateConditions(
      input({
        requiredAdapters: CLUSTER_ADAPTERS,
        statuses: [
          report('hypershift', 1, 'True', T1),
          report('pullsecret', 1, 'True', T1),
          report('dns', 1, 'True', T1),
          report('validation', 1, 'True', T1),
        ],
      }),
    );

    expect(result.map((c) => c.type)).toStrictEqual([
      'Reconciled',
      'LastKnownReconciled',
      'ValidationSuccessful',
      'DnsSuccessful',
      'PullsecretSuccessful',
      'HypershiftSuccessful',
    ]);
  });

  it('omits reason and message of a per-adapter condition when Available has none', () => {
    const bare: AdapterReport = {
      adapter: 'validation',
      observedGeneration: 1,
      conditions: [{ type: 'Available', status: 'True' }],
      lastReportTime: T1,
    };

    const [, , validation] = aggregateConditions(input({ requiredAdapters: ['validation'], statuses: [bare] }));

    expect(validation).toStrictEqual({
      type: 'ValidationSuccessful',
      status: 'True',
      observed_generation: 1,
      ...times(CREATED, T1, T1),
    });
  });

  describe('while deleting', () => {
    const finalized: ReportedCondition = { type: 'Finalized', status: 'True', reason: 'Done', message: 'cleaned up' };

    it('reports ReconciledAll when every required adapter reports Finalized=True at G', () => {
      const result = aggregateConditions(
        input({
          generation: 2,
          refTime: PATCHED,
          deleting: true,
          statuses: [report('validation', 2, 'False', T4, [finalized]), report('dns', 2, 'True', T5, [finalized])],
        }),
      );

      // LastKnownReconciled ignores deletion: validation's Available=False still counts.
      expect(result).toStrictEqual([
        { ...RECONCILED_TRUE, observed_generation: 2, ...times(PATCHED, T4, T4) },
        {
          type: 'LastKnownReconciled',
          status: 'False',
          reason: 'AdapterReportedNotAvailable',
          message: 'One or more required adapters report Available=False',
          observed_generation: 2,
          ...times(PATCHED, T4, T4),
        },
        adapterCondition('validation', 'False', 2, times(PATCHED, T4, T4)),
        adapterCondition('dns', 'True', 2, times(PATCHED, T5, T5)),
      ]);
    });

    it('waits for children once all adapters are finalized', () => {
      const [reconciled] = aggregateConditions(
        input({
          generation: 2,
          refTime: PATCHED,
          deleting: true,
          hasActiveChildren: true,
          statuses: [report('validation', 2, 'True', T4, [finalized]), report('dns', 2, 'True', T5, [finalized])],
        }),
      );

      expect(reconciled).toStrictEqual({
        type: 'Reconciled',
        status: 'False',
        reason: 'ReconciledWaitingForChildren',
        message: 'Deletion in progress. All required adapters reported Finalized=True but child resources still exist',
        observed_generation: 2,
        ...times(PATCHED, T4, T4),
      });
    });

    it('lists adapters not reporting Finalized=True', () => {
      const [reconciled] = aggregateConditions(
        input({
          generation: 2,
          refTime: PATCHED,
          deleting: true,
          hasActiveChildren: true,
          statuses: [
            report('validation', 2, 'True', T4, [finalized]),
            report('dns', 2, 'True', T5, [{ type: 'Finalized', status: 'False' }]),
          ],
        }),
      );

      expect(reconciled).toStrictEqual({
        ...reconciledMissing('dns', 'dns, validation', 'Finalized'),
        observed_generation: 2,
        ...times(PATCHED, T4, T4),
      });
    });

    it('does not count Finalized=True reported at an older generation', () => {
      const [reconciled] = aggregateConditions(
        input({
          generation: 2,
          refTime: PATCHED,
          deleting: true,
          statuses: [report('validation', 2, 'True', T4, [finalized]), report('dns', 1, 'True', T1, [finalized])],
        }),
      );

      expect(reconciled).toStrictEqual({
        ...reconciledMissing('dns', 'dns, validation', 'Finalized'),
        observed_generation: 2,
        ...times(PATCHED, T4, T4),
      });
    });
  });

  it('keeps last_transition_time and created_time when the status does not change', () => {
    const previous = allTrueAtGeneration1();

    const result = aggregateConditions(
      input({
        refTime: PATCHED,
        previous,
        statuses: [report('validation', 1, 'True', T4), report('dns', 1, 'True', T5)],
      }),
    );

    expect(result).toStrictEqual([
      { ...RECONCILED_TRUE, observed_generation: 1, ...times(CREATED, T4, T1) },
      { ...LKR_TRUE, observed_generation: 1, ...times(CREATED, T4, T1) },
      adapterCondition('validation', 'True', 1, times(CREATED, T4, T2)),
      adapterCondition('dns', 'True', 1, times(CREATED, T5, T1)),
    ]);
  });

  it('gives a per-adapter condition a new transition time when its status flips', () => {
    const previous = allTrueAtGeneration1();

    const [, , , dns] = aggregateConditions(
      input({ previous, statuses: [report('validation', 1, 'True', T2), report('dns', 1, 'False', T3)] }),
    );

    expect(dns).toStrictEqual(adapterCondition('dns', 'False', 1, times(CREATED, T3, T3)));
  });

  it('is deterministic and its output survives a JSON round trip unchanged', () => {
    const build = () =>
      aggregateConditions(
        input({
          requiredAdapters: CLUSTER_ADAPTERS,
          statuses: [report('dns', 1, 'False', T2), report('validation', 1, 'True', T1)],
        }),
      );

    const result = build();

    expect(build()).toStrictEqual(result);
    expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
  });
});

describe(adapterConditionType.name, () => {
  it.each([
    ['validation', 'ValidationSuccessful'],
    ['dns', 'DnsSuccessful'],
    ['pullsecret', 'PullsecretSuccessful'],
    ['hypershift', 'HypershiftSuccessful'],
    ['gcp-provisioner', 'GcpProvisionerSuccessful'],
    ['multi-word-adapter', 'MultiWordAdapterSuccessful'],
    ['adapter1', 'Adapter1Successful'],
    ['a', 'ASuccessful'],
    ['my--adapter', 'MyAdapterSuccessful'],
  ])('maps %s to %s', (adapter, type) => {
    expect(adapterConditionType(adapter)).toBe(type);
  });
});

describe(sameConditions.name, () => {
  const condition: ResourceCondition = {
    type: 'Reconciled',
    status: 'True',
    reason: 'ReconciledAll',
    message: 'ok',
    observed_generation: 1,
    ...times(CREATED, T1, T1),
  };

  it('ignores key order and undefined-valued keys', () => {
    const reordered = JSON.parse(
      '{"last_transition_time":"2026-11-24T12:01:00.000Z","status":"True","type":"Reconciled","message":"ok",' +
        '"reason":"ReconciledAll","observed_generation":1,"created_time":"2026-11-24T12:00:00.000Z",' +
        '"last_updated_time":"2026-11-24T12:01:00.000Z"}',
    ) as ResourceCondition;

    expect(sameConditions([condition], [reordered])).toBe(true);
    expect(sameConditions([{ ...condition, reason: undefined }], [{ ...condition, reason: undefined }])).toBe(true);
    expect(sameConditions([], [])).toBe(true);
  });

  it('sees a changed value, a missing key, another order or another length', () => {
    const other: ResourceCondition = { ...condition, type: 'LastKnownReconciled' };
    const { message: _message, ...withoutMessage } = condition;

    expect(sameConditions([condition], [{ ...condition, last_updated_time: T2 }])).toBe(false);
    expect(sameConditions([condition], [{ ...condition, observed_generation: 2 }])).toBe(false);
    expect(sameConditions([condition], [withoutMessage])).toBe(false);
    expect(sameConditions([condition, other], [other, condition])).toBe(false);
    expect(sameConditions([condition], [condition, other])).toBe(false);
  });
});
