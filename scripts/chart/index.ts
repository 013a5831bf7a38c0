/** The chart's generators, one job per file: the machine walked (describe), then each picture or file made from it. */
export * from './describe';
export * from './mermaid';
export * from './dot';
export * from './machineJson';
export * from './overview';
export * from './files';
