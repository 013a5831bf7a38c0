import { CauseRotation, HOSTILE_CAUSES } from '../../src/testing';

/**
 * The hostile world (issue 11): the harness's unkind ways to make a step happen (`HOSTILE_CAUSES`),
 * rotated across every path of the suite through one shared rotation, which also counts them for
 * the coverage line.
 */
export { HOSTILE_CAUSES };

/** The suite's one rotation: every harness of the run takes its turn from it. */
export const rotation = new CauseRotation();
