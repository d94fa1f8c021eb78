import { packageConfig } from '@rnh/vitest-config';

export default packageConfig();
