// The actors and the transport they own: 90% or more.
import { strykerConfig } from './stryker.base.mjs';

export default strykerConfig('services');
