/** The words a person reads for one event: the controller's display text, or a decoded label. */
import { decodeProgramStatus, decodeVariable, describe, NODE_COMMANDS, type IoxEvent } from '../dispatcher';

/** The value to show for an event: the controller's own display text when it sent one. */
export function displayValue(event: IoxEvent): string {
  if (event.isSystem) {
    const label = describe(event.control, event.action);
    const variable = decodeVariable(event);
    if (variable) {
      const value = variable.kind === 'value' ? variable.value : variable.init;
      return `${label}: ${variable.type === 2 ? 'state' : 'integer'} variable ${variable.id} = ${value ?? '?'}`;
    }
    const program = decodeProgramStatus(event);
    if (program) return `${label}: program ${program.id} ${program.runState}, last evaluation ${program.evaluation}`;
    return label;
  }
  if (event.formattedAction !== undefined && event.formattedAction !== '') return event.formattedAction;
  // Commands (DON, DOF, ...) read better as their label; a bare property value keeps its unit id.
  if (Object.prototype.hasOwnProperty.call(NODE_COMMANDS, event.control)) return describe(event.control, event.action);
  return event.uom !== undefined ? `${event.action} (uom ${event.uom})` : event.action;
}
