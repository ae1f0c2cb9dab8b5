import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'hyperfleet:public';

/** The route (or every route of the controller) is served without authentication. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
