export const runtimeName = 'node';
