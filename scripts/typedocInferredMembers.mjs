// TypeDoc plugin. The members of a documented variable's *inferred* type (the keys of an `as const`
// code table, whose values are their labels; the type arguments XState infers for the machine) get
// their meaning from that variable's TSDoc, and have no declaration a comment could be written on.
// They are listed in `intentionallyNotDocumented` so `validation.notDocumented` keeps holding every
// declared export, interface member and class member to its TSDoc.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const reflections = Object.values(context.project.reflections);
    const documented = reflections
      .filter((r) => r.kindOf(ReflectionKind.Variable) && r.hasComment())
      .map((r) => `${r.getFriendlyFullName()}.`);
    const inferred = reflections
      // Only what the validator asks about: members, not type literals or (skipped) parameters' shapes.
      .filter((r) => r.kindOf(ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor))
      .filter((r) => !underParameter(r))
      .filter((r) => !r.hasComment() && documented.some((prefix) => r.getFriendlyFullName().startsWith(prefix)))
      .map((r) => r.getFriendlyFullName());
    const listed = app.options.getValue('intentionallyNotDocumented');
    app.options.setValue('intentionallyNotDocumented', [...new Set([...listed, ...inferred])]);
  });
}

/** @param {import('typedoc').Reflection} reflection */
function underParameter(reflection) {
  for (let r = reflection.parent; r; r = r.parent) if (r.kindOf(ReflectionKind.Parameter)) return true;
  return false;
}
