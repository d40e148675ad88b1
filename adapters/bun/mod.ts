export const runtimeName = 'bun';
