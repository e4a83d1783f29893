import RequestClient from 'twilio/lib/base/RequestClient';

/**
 * The official `twilio` SDK, unchanged, pointed at Parley: every request it makes to
 * Twilio's hosts goes to the service under test instead.
 */
export class ParleyRequestClient extends RequestClient {
  constructor(private readonly parleyUrl: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({
      ...opts,
      uri: opts.uri.replace(
        /^https:\/\/(api|messaging|content|monitor)\.twilio\.com/,
        this.parleyUrl,
      ),
    });
  }
}
