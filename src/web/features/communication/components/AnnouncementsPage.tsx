import { Card, Page } from '../../../ui/layout';
import { useCurrentUser } from '../../auth/queries';
import { AnnouncementComposer } from './AnnouncementComposer';
import { AnnouncementList } from './AnnouncementList';

export function AnnouncementsPage() {
  const user = useCurrentUser();
  return (
    <Page title="Announcements">
      <div className={user.role === 'admin' ? 'grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]' : ''}>
        <AnnouncementList />
        {user.role === 'admin' && (
          <Card title="Announce to everyone">
            <AnnouncementComposer />
          </Card>
        )}
      </div>
    </Page>
  );
}
