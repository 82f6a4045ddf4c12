// A pace as the surfaces show it: the engine's numbers (pace.ts) with their sentences (src/shared/paceText.ts).

import type { Meter } from '../../shared/model';
import type { PaceSummary } from '../../shared/pace';
import { paceText } from '../../shared/paceText';
import { computePaceNumbers, type PaceOptions, type PacePoint } from './pace';

export function computePace(points: readonly PacePoint[], meter: Meter, now: number, opts: PaceOptions = {}): PaceSummary {
  const { say, ...figures } = computePaceNumbers(points, meter, now, opts);
  return { ...figures, ...paceText(say, figures, now, opts.timeZone) };
}
