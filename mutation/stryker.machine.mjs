// The chart: every mutant killed by the model suite, or listed in equivalents.json with its reason.
import { strykerConfig } from './stryker.base.mjs';

export default strykerConfig('machine');
