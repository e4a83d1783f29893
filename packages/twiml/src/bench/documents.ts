/** Documents for the benchmark: a typical IVR page (1 kB) and a large one (60 kB). */

/** A realistic call-flow page: greeting, menu, WhatsApp dial with whisper and callbacks. */
export function typicalDocument(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Joanna" language="en-US">Thanks for calling Parley support. <break time="300ms"/> This call may be recorded.</Say>
  <Gather input="dtmf speech" action="/ivr/menu?step=1&amp;lang=en" method="POST" numDigits="1" timeout="6" speechTimeout="auto" hints="sales, support, billing">
    <Say voice="Polly.Joanna">For sales, press 1 or say sales. For support, press 2. For billing, press 3.</Say>
    <Pause length="1"/>
  </Gather>
  <Dial callerId="whatsapp:+14155552671" answerOnBridge="true" timeout="25" record="record-from-answer-dual" recordingStatusCallback="/recordings">
    <WhatsApp url="/whisper" statusCallback="/status" statusCallbackEvent="initiated ringing answered completed">+16175551212</WhatsApp>
  </Dial>
  <Say>Sorry, nobody is available right now. Please leave a message after the tone.</Say>
  <Record maxLength="120" playBeep="true" action="/voicemail" recordingStatusCallback="/voicemail/status"/>
  <Hangup/>
</Response>
`;
}

/** A large document close to `targetBytes` (default 60 kB), made of varied verbs. */
export function largeDocument(targetBytes = 60 * 1024): string {
  const blocks = [
    '  <Say voice="Polly.Matthew" loop="1">Item number <say-as interpret-as="digits">12345</say-as> is <emphasis level="strong">in stock</emphasis>.</Say>\n',
    '  <Gather input="dtmf" numDigits="4" action="/ivr/item?id=42&amp;x=1" timeout="5"><Say>Enter the item code.</Say><Play>https://cdn.example.com/beep.mp3</Play></Gather>\n',
    '  <Play loop="2">https://cdn.example.com/prompts/menu-option.mp3</Play>\n',
    '  <Pause length="1"/>\n',
    '  <Dial timeout="20" callerId="+14155552671"><Number statusCallbackEvent="answered completed" statusCallback="/cb">+14155552671</Number><Client>agent_7</Client></Dial>\n',
  ];
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n';
  const tail = '  <Hangup/>\n</Response>\n';
  let body = '';
  let i = 0;
  for (;;) {
    const next = blocks[i % blocks.length] ?? '';
    if (head.length + body.length + next.length + tail.length > targetBytes) break;
    body += next;
    i++;
  }
  return head + body + tail;
}
