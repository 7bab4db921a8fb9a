"""English -> Spanish | French | German | Italian lexicon for the gloss translator (data only)."""

# english | pos | es | fr | de | it   (an indented line starting with "|" continues the previous entry)
# pos n: noun "form gender[:plural]" (gender m, f, n, or mp/fp/p for plural-only words)
# pos v / m: verb / modal "infinitive[;1s,3s,1p,2p,3p[;participle[;past3s,past3p]]]" (empty parts use the rules)
# pos a: adjective "[<]base[:feminine]" ("<" = before the noun; German "~X" = compound prefix; ":" stem in German)
# pos d: determiner "m/f/mp/fp" (German "m/f/n/p"); pos p: pronoun "subject/object" ("-" = dropped)
# pos r: adverb, x: other word, o: object pronoun, neg: negation, rel: relative pronoun
LEXICON = """
the | d | el/la/los/las | le/la/les/les | der/die/das/die | il/la/i/le
a | d | un/una/unos/unas | un/une/des/des | ein/eine/ein/- | un/una/dei/delle
an | d | un/una/unos/unas | un/une/des/des | ein/eine/ein/- | un/una/dei/delle
this | d | este/esta/estos/estas | ce/cette/ces/ces | dieser/diese/dieses/diese | questo/questa/questi/queste
these | d | este/esta/estos/estas | ce/cette/ces/ces | dieser/diese/dieses/diese | questo/questa/questi/queste
that | d | ese/esa/esos/esas | ce/cette/ces/ces | jener/jene/jenes/jene | quel/quella/quei/quelle
those | d | ese/esa/esos/esas | ce/cette/ces/ces | jener/jene/jenes/jene | quel/quella/quei/quelle
my | d | mi/mi/mis/mis | mon/ma/mes/mes | mein/meine/mein/meine | il mio/la mia/i miei/le mie
your | d | su/su/sus/sus | votre/votre/vos/vos | Ihr/Ihre/Ihr/Ihre | il suo/la sua/i suoi/le sue
our | d | nuestro/nuestra/nuestros/nuestras | notre/notre/nos/nos | unser/unsere/unser/unsere
    | il nostro/la nostra/i nostri/le nostre
their | d | su/su/sus/sus | leur/leur/leurs/leurs | ihr/ihre/ihr/ihre | il loro/la loro/i loro/le loro
its | d | su/su/sus/sus | son/sa/ses/ses | sein/seine/sein/seine | il suo/la sua/i suoi/le sue
his | d | su/su/sus/sus | son/sa/ses/ses | sein/seine/sein/seine | il suo/la sua/i suoi/le sue
her | d | su/su/sus/sus | son/sa/ses/ses | ihr/ihre/ihr/ihre | il suo/la sua/i suoi/le sue
some | d | algún/alguna/algunos/algunas | du/de la/des/des | etwas/etwas/etwas/einige
    | qualche/qualche/alcuni/alcune
many | d | mucho/mucha/muchos/muchas | beaucoup de/beaucoup de/beaucoup de/beaucoup de | viel/viel/viel/viele
    | molto/molta/molti/molte
all | d | todo/toda/todos/todas | tout/toute/tous/toutes | all/alle/all/alle | tutto/tutta/tutti/tutte
each | d | cada/cada/cada/cada | chaque/chaque/chaque/chaque | jeder/jede/jedes/alle | ogni/ogni/ogni/ogni
every | d | cada/cada/cada/cada | chaque/chaque/chaque/chaque | jeder/jede/jedes/alle | ogni/ogni/ogni/ogni
both | d | ambos/ambas/ambos/ambas | les deux/les deux/les deux/les deux | beide/beide/beide/beide
    | entrambi/entrambe/entrambi/entrambe
several | d | varios/varias/varios/varias | plusieurs/plusieurs/plusieurs/plusieurs
    | mehrere/mehrere/mehrere/mehrere | diversi/diverse/diversi/diverse
i | p | -/me/mí | je/me/moi | ich/mich/mir | -/mi/me
you | p | -/le/usted | vous/vous/vous | Sie/Sie/Ihnen | -/La/Lei
he | p | él/lo/él | il/le/lui | er/ihn/ihm | lui/lo/lui
she | p | ella/la/ella | elle/la/elle | sie/sie/ihr | lei/la/lei
it | p | -/lo/ello | il/le/lui | es/es/ihm | -/lo/esso
we | p | -/nos/nosotros | nous/nous/nous | wir/uns/uns | -/ci/noi
they | p | -/los/ellos | ils/les/eux | sie/sie/ihnen | -/li/loro
me | o | me/mí | me/moi | mich/mir | mi/me
us | o | nos/nosotros | nous/nous | uns/uns | ci/noi
them | o | los/ellos | les/eux | sie/ihnen | li/loro
him | o | lo/él | le/lui | ihn/ihm | lo/lui
which | rel | que | qui | der/die/das/die | che
who | rel | que | qui | der/die/das/die | che
that | rel | que | qui | der/die/das/die | che
not | neg | no | pas | nicht | non
can | m | poder;puedo,puede,podemos,podéis,pueden | pouvoir;peux,peut,pouvons,pouvez,peuvent
    | können;kann,kann,können,könnt,können | potere;posso,può,possiamo,potete,possono
may | m | poder;puedo,puede,podemos,podéis,pueden | pouvoir;peux,peut,pouvons,pouvez,peuvent
    | können;kann,kann,können,könnt,können | potere;posso,può,possiamo,potete,possono
could | m | poder;podría,podría,podríamos,podríais,podrían | pouvoir;pourrais,pourrait,pourrions,pourriez,pourraient
    | können;könnte,könnte,könnten,könntet,könnten | potere;potrei,potrebbe,potremmo,potreste,potrebbero
might | m | poder;podría,podría,podríamos,podríais,podrían | pouvoir;pourrais,pourrait,pourrions,pourriez,pourraient
    | können;könnte,könnte,könnten,könntet,könnten | potere;potrei,potrebbe,potremmo,potreste,potrebbero
should | m | deber;debería,debería,deberíamos,deberíais,deberían | devoir;devrais,devrait,devrions,devriez,devraient
    | sollen;sollte,sollte,sollten,solltet,sollten | dovere;dovrei,dovrebbe,dovremmo,dovreste,dovrebbero
must | m | deber;debo,debe,debemos,debéis,deben | devoir;dois,doit,devons,devez,doivent
    | müssen;muss,muss,müssen,müsst,müssen | dovere;devo,deve,dobbiamo,dovete,devono
will | m | ir a;voy a,va a,vamos a,vais a,van a | aller;vais,va,allons,allez,vont
    | werden;werde,wird,werden,werdet,werden | -
would | m | - | - | - | -
need to | m | necesitar | devoir;dois,doit,devons,devez,doivent | müssen;muss,muss,müssen,müsst,müssen
    | dovere;devo,deve,dobbiamo,dovete,devono
have to | m | tener que;tengo que,tiene que,tenemos que,tenéis que,tienen que
    | devoir;dois,doit,devons,devez,doivent | müssen;muss,muss,müssen,müsst,müssen
    | dovere;devo,deve,dobbiamo,dovete,devono
would like | v | querer;quisiera,quisiera,quisiéramos,quisierais,quisieran
    | vouloir;voudrais,voudrait,voudrions,voudriez,voudraient | mögen;möchte,möchte,möchten,möchtet,möchten
    | volere;vorrei,vorrebbe,vorremmo,vorreste,vorrebbero
be | v | ser;soy,es,somos,sois,son;sido;fue,fueron | être;suis,est,sommes,êtes,sont;été;était,étaient
    | sein;bin,ist,sind,seid,sind;gewesen;war,waren | essere;sono,è,siamo,siete,sono;stato;era,erano
have | v | tener;tengo,tiene,tenemos,tenéis,tienen;tenido;tuvo,tuvieron | avoir;ai,a,avons,avez,ont;eu;avait,avaient
    | haben;habe,hat,haben,habt,haben;gehabt;hatte,hatten | avere;ho,ha,abbiamo,avete,hanno;avuto;aveva,avevano
do | v | hacer;hago,hace,hacemos,hacéis,hacen;hecho;hizo,hicieron | faire;fais,fait,faisons,faites,font;fait
    | machen | fare;faccio,fa,facciamo,fate,fanno;fatto
make | v | hacer;hago,hace,hacemos,hacéis,hacen;hecho;hizo,hicieron | rendre;rends,rend,rendons,rendez,rendent;rendu
    | machen | rendere;rendo,rende,rendiamo,rendete,rendono;reso
go | v | ir;voy,va,vamos,vais,van;ido;fue,fueron | aller;vais,va,allons,allez,vont;allé
    | gehen;;gegangen;ging,gingen | andare;vado,va,andiamo,andate,vanno
get | v | obtener;obtengo,obtiene,obtenemos,obtenéis,obtienen;obtenido;obtuvo,obtuvieron
    | obtenir;obtiens,obtient,obtenons,obtenez,obtiennent;obtenu | bekommen;;bekommen;bekam,bekamen
    | ottenere;ottengo,ottiene,otteniamo,ottenete,ottengono;ottenuto
give | v | dar;doy,da,damos,dais,dan;dado;dio,dieron | donner | geben;gebe,gibt,geben,gebt,geben;gegeben;gab,gaben
    | dare;do,dà,diamo,date,danno;dato
know | v | saber;sé,sabe,sabemos,sabéis,saben;sabido;supo,supieron | savoir;sais,sait,savons,savez,savent;su
    | wissen;weiß,weiß,wissen,wisst,wissen;gewusst;wusste,wussten | sapere;so,sa,sappiamo,sapete,sanno;saputo
see | v | ver;veo,ve,vemos,veis,ven;visto;vio,vieron | voir;vois,voit,voyons,voyez,voient;vu
    | sehen;sehe,sieht,sehen,seht,sehen;gesehen;sah,sahen | vedere;;visto
say | v | decir;digo,dice,decimos,decís,dicen;dicho;dijo,dijeron | dire;dis,dit,disons,dites,disent;dit | sagen
    | dire;dico,dice,diciamo,dite,dicono;detto
want | v | querer;quiero,quiere,queremos,queréis,quieren;querido;quiso,quisieron
    | vouloir;veux,veut,voulons,voulez,veulent;voulu | wollen;will,will,wollen,wollt,wollen;gewollt
    | volere;voglio,vuole,vogliamo,volete,vogliono;voluto
need | v | necesitar;;necesario | avoir besoin de;;nécessaire | brauchen;;gebraucht | avere bisogno di;;necessario
think | v | pensar;pienso,piensa,pensamos,pensáis,piensan | penser | denken;;gedacht;dachte,dachten | pensare
seem | v | parecer;parezco,parece,parecemos,parecéis,parecen | sembler | scheinen;;geschienen;schien,schienen
    | sembrare
expect | v | esperar | attendre | erwarten;;erwartet | aspettare
buy | v | comprar | acheter;achète,achète,achetons,achetez,achètent | kaufen | comprare
return | v | devolver;devuelvo,devuelve,devolvemos,devolvéis,devuelven;devuelto | retourner
    | zurückgeben;gebe zurück,gibt zurück,geben zurück,gebt zurück,geben zurück;zurückgegeben
    | restituire;restituisco,restituisce,restituiamo,restituite,restituiscono
send | v | enviar | envoyer;envoie,envoie,envoyons,envoyez,envoient | senden | inviare
pay | v | pagar | payer | bezahlen | pagare
charge | v | cobrar | facturer | berechnen | addebitare
receive | v | recibir | recevoir;reçois,reçoit,recevons,recevez,reçoivent;reçu
    | erhalten;erhalte,erhält,erhalten,erhaltet,erhalten;erhalten | ricevere
arrive | v | llegar | arriver | ankommen;komme an,kommt an,kommen an,kommt an,kommen an;angekommen;kam an,kamen an
    | arrivare
work | v | funcionar | fonctionner | funktionieren | funzionare
help | v | ayudar | aider | helfen;helfe,hilft,helfen,helft,helfen;geholfen;half,halfen | aiutare
install | v | instalar | installer | installieren | installare
reduce | v | reducir;reduzco,reduce,reducimos,reducís,reducen;;redujo,redujeron
    | réduire;réduis,réduit,réduisons,réduisez,réduisent;réduit | reduzieren | ridurre;;ridotto
lower | v | reducir;reduzco,reduce,reducimos,reducís,reducen;;redujo,redujeron
    | réduire;réduis,réduit,réduisons,réduisez,réduisent;réduit | senken | ridurre;;ridotto
cut down | v | reducir;reduzco,reduce,reducimos,reducís,reducen;;redujo,redujeron
    | réduire;réduis,réduit,réduisons,réduisez,réduisent;réduit | senken | ridurre;;ridotto
produce | v | producir;produzco,produce,producimos,producís,producen;;produjo,produjeron
    | produire;produis,produit,produisons,produisez,produisent;produit | produzieren | produrre;;prodotto
generate | v | generar | générer | erzeugen | generare
convert | v | convertir;convierto,convierte,convertimos,convertís,convierten
    | convertir;convertis,convertit,convertissons,convertissez,convertissent;converti
    | umwandeln;wandle um,wandelt um,wandeln um,wandelt um,wandeln um;umgewandelt | convertire
capture | v | capturar | capter | einfangen;fange ein,fängt ein,fangen ein,fangt ein,fangen ein;eingefangen
    | catturare
store | v | almacenar | stocker | speichern | immagazzinare
release | v | liberar | libérer | freisetzen;setze frei,setzt frei,setzen frei,setzt frei,setzen frei;freigesetzt
    | rilasciare
sell | v | vender | vendre | verkaufen | vendere
offer | v | ofrecer;ofrezco,ofrece,ofrecemos,ofrecéis,ofrecen | offrir;offre,offre,offrons,offrez,offrent;offert
    | bieten;;geboten;bot,boten | offrire;;offerto
provide | v | proporcionar | fournir | liefern | fornire;fornisco,fornisce,forniamo,fornite,forniscono
ensure | v | garantizar | garantir | gewährleisten;;gewährleistet
    | garantire;garantisco,garantisce,garantiamo,garantite,garantiscono
balance | v | equilibrar | équilibrer
    | ausgleichen;gleiche aus,gleicht aus,gleichen aus,gleicht aus,gleichen aus;ausgeglichen | bilanciare
use | v | usar | utiliser | nutzen | usare
include | v | incluir;incluyo,incluye,incluimos,incluís,incluyen
    | inclure;inclus,inclut,incluons,incluez,incluent;inclus
    | enthalten;enthalte,enthält,enthalten,enthaltet,enthalten;enthalten | includere;;incluso
increase | v | aumentar | augmenter | erhöhen | aumentare
improve | v | mejorar | améliorer | verbessern | migliorare
grow | v | crecer;crezco,crece,crecemos,crecéis,crecen | croître;croîs,croît,croissons,croissez,croissent;crû
    | wachsen;wachse,wächst,wachsen,wachst,wachsen;gewachsen;wuchs,wuchsen | crescere;;cresciuto
expand | v | ampliar | étendre | erweitern | espandere;;espanso
require | v | requerir;requiero,requiere,requerimos,requerís,requieren | exiger | erfordern | richiedere;;richiesto
necessitate | v | requerir;requiero,requiere,requerimos,requerís,requieren | nécessiter | erfordern
    | richiedere;;richiesto
achieve | v | lograr | atteindre;atteins,atteint,atteignons,atteignez,atteignent;atteint | erreichen
    | raggiungere;;raggiunto
unlock | v | desbloquear | débloquer | erschließen;;erschlossen | sbloccare
understand | v | entender;entiendo,entiende,entendemos,entendéis,entienden
    | comprendre;comprends,comprend,comprenons,comprenez,comprennent;compris
    | verstehen;;verstanden;verstand,verstanden | capire;capisco,capisce,capiamo,capite,capiscono
log in | v | iniciar sesión | se connecter;me connecte,se connecte,nous connectons,vous connectez,se connectent;connecté
    | anmelden;melde an,meldet an,melden an,meldet an,melden an;angemeldet | accedere;;acceduto
sign in | v | iniciar sesión
    | se connecter;me connecte,se connecte,nous connectons,vous connectez,se connectent;connecté
    | anmelden;melde an,meldet an,melden an,meldet an,melden an;angemeldet | accedere;;acceduto
blow | v | soplar | souffler | wehen | soffiare
check | v | revisar | vérifier | prüfen | controllare
update | v | actualizar
    | mettre à jour;mets à jour,met à jour,mettons à jour,mettez à jour,mettent à jour;mis à jour | aktualisieren
    | aggiornare
contact | v | contactar | contacter | kontaktieren | contattare
sign | v | firmar | signer | unterzeichnen | firmare
keep | v | mantener;mantengo,mantiene,mantenemos,mantenéis,mantienen;;mantuvo,mantuvieron | garder
    | behalten;behalte,behält,behalten,behaltet,behalten;behalten
    | mantenere;mantengo,mantiene,manteniamo,mantenete,mantengono;mantenuto
become | v | llegar a ser | devenir;deviens,devient,devenons,devenez,deviennent;devenu
    | werden;werde,wird,werden,werdet,werden;geworden;wurde,wurden | diventare
create | v | crear | créer | schaffen | creare
change | v | cambiar | changer | ändern | cambiare
cost | v | costar;cuesto,cuesta,costamos,costáis,cuestan | coûter | kosten | costare
supply | v | suministrar | fournir | liefern | fornire;fornisco,fornisce,forniamo,fornite,forniscono
support | v | apoyar | soutenir;soutiens,soutient,soutenons,soutenez,soutiennent;soutenu | unterstützen
    | sostenere;sostengo,sostiene,sosteniamo,sostenete,sostengono;sostenuto
order | v | pedir;pido,pide,pedimos,pedís,piden | commander | bestellen | ordinare
connect | v | conectar | connecter | verbinden;;verbunden;verband,verbanden | connettere;;connesso
try | v | intentar | essayer | versuchen | provare
find | v | encontrar;encuentro,encuentra,encontramos,encontráis,encuentran | trouver | finden;;gefunden;fand,fanden
    | trovare
write | v | escribir;;escrito | écrire;écris,écrit,écrivons,écrivez,écrivent;écrit
    | schreiben;;geschrieben;schrieb,schrieben | scrivere;;scritto
energy | n | energía f | énergie f | Energie f | energia f
power | n | energía f | énergie f | Strom m:Ströme | energia f
electricity | n | electricidad f | électricité f | Strom m:Ströme | elettricità f
sunlight | n | luz solar f | lumière du soleil f | Sonnenlicht n | luce solare f
sun | n | sol m | soleil m | Sonne f | sole m
wind | n | viento m | vent m | Wind m | vento m
turbine | n | turbina f | turbine f | Turbine f | turbina f
panel | n | panel m | panneau m | Paneel n | pannello m
storage | n | almacenamiento m | stockage m | Speicherung f | accumulo m
battery | n | batería f | batterie f | Batterie f | batteria f
grid | n | red f | réseau m | Netz n | rete f
network | n | red f | réseau m | Netz n | rete f
source | n | fuente f | source f | Quelle f | fonte f
cost | n | costo m | coût m | Kosten p | costo m
price | n | precio m | prix m | Preis m | prezzo m
bill | n | factura f | facture f | Rechnung f | bolletta f
invoice | n | factura f | facture f | Rechnung f | fattura f
payment | n | pago m | paiement m | Zahlung f | pagamento m
refund | n | reembolso m | remboursement m | Rückerstattung f | rimborso m
order | n | pedido m | commande f | Bestellung f | ordine m
product | n | producto m | produit m | Produkt n | prodotto m
item | n | artículo m | article m | Artikel m | articolo m
customer | n | cliente m | client m | Kunde m:Kunden | cliente m
support | n | soporte m | assistance f | Support m:Support | assistenza f
team | n | equipo m | équipe f | Team n:Teams | squadra f
service | n | servicio m | service m | Service m:Services | servizio m
problem | n | problema m | problème m | Problem n | problema m
issue | n | problema m | problème m | Problem n | problema m
question | n | pregunta f | question f | Frage f | domanda f
answer | n | respuesta f | réponse f | Antwort f | risposta f
account | n | cuenta f | compte m | Konto n:Konten | conto m
connection | n | conexión f | connexion f | Verbindung f | connessione f
internet | n | internet m | internet m | Internet n:Internet | internet m
wifi | n | wifi m | wifi m | WLAN n:WLANs | wifi m
router | n | router m | routeur m | Router m | router m
password | n | contraseña f | mot de passe m | Passwort n:Passwörter | password f
email | n | correo electrónico m | e-mail m | E-Mail f:E-Mails | email f
message | n | mensaje m | message m | Nachricht f | messaggio m
system | n | sistema m | système m | System n | sistema m
company | n | empresa f | entreprise f | Unternehmen n | azienda f
business | n | empresa f | entreprise f | Unternehmen n | azienda f
market | n | mercado m | marché m | Markt m:Märkte | mercato m
growth | n | crecimiento m | croissance f | Wachstum n:Wachstum | crescita f
risk | n | riesgo m | risque m | Risiko n:Risiken | rischio m
opportunity | n | oportunidad f | opportunité f | Chance f | opportunità f
demand | n | demanda f | demande f | Nachfrage f | domanda f
supply | n | suministro m | approvisionnement m | Versorgung f | fornitura f
saving | n | ahorro m | économie f | Einsparung f | risparmio m
benefit | n | beneficio m | avantage m | Vorteil m | beneficio m
government | n | gobierno m | gouvernement m | Regierung f | governo m
incentive | n | incentivo m | incitation f | Anreiz m | incentivo m
home | n | hogar m | maison f | Haus n:Häuser | casa f
homeowner | n | propietario m | propriétaire m | Hausbesitzer m | proprietario m
emission | n | emisión f | émission f | Emission f | emissione f
gas | n | gas m | gaz m | Gas n | gas m
fuel | n | combustible m | combustible m | Brennstoff m | combustibile m
nation | n | nación f | nation f | Nation f | nazione f
country | n | país m | pays m | Land n:Länder | paese m
world | n | mundo m | monde m | Welt f | mondo m
independence | n | independencia f | indépendance f | Unabhängigkeit f | indipendenza f
component | n | componente m | composant m | Komponente f | componente m
part | n | parte f | partie f | Teil m | parte f
challenge | n | desafío m | défi m | Herausforderung f | sfida f
solution | n | solución f | solution f | Lösung f | soluzione f
structure | n | estructura f | structure f | Struktur f | struttura f
shift | n | transición f | transition f | Wandel m | transizione f
use | n | uso m | utilisation f | Nutzung f | uso m
form | n | forma f | forme f | Form f | forma f
technology | n | tecnología f | technologie f | Technologie f | tecnologia f
scale | n | escala f | échelle f | Maßstab m:Maßstäbe | scala f
option | n | opción f | option f | Option f | opzione f
potential | n | potencial m | potentiel m | Potenzial n | potenziale m
report | n | informe m | rapport m | Bericht m | rapporto m
revenue | n | ingreso m | revenu m | Umsatz m:Umsätze | ricavo m
profit | n | beneficio m | bénéfice m | Gewinn m | profitto m
year | n | año m | année f | Jahr n | anno m
month | n | mes m | mois m | Monat m | mese m
week | n | semana f | semaine f | Woche f | settimana f
january | n | enero m | janvier m | Januar m | gennaio m
february | n | febrero m | février m | Februar m | febbraio m
march | n | marzo m | mars m | März m | marzo m
april | n | abril m | avril m | April m | aprile m
june | n | junio m | juin m | Juni m | giugno m
july | n | julio m | juillet m | Juli m | luglio m
august | n | agosto m | août m | August m | agosto m
september | n | septiembre m | septembre m | September m | settembre m
october | n | octubre m | octobre m | Oktober m | ottobre m
november | n | noviembre m | novembre m | November m | novembre m
december | n | diciembre m | décembre m | Dezember m | dicembre m
monday | n | lunes m | lundi m | Montag m | lunedì m
tuesday | n | martes m | mardi m | Dienstag m | martedì m
wednesday | n | miércoles m | mercredi m | Mittwoch m | mercoledì m
thursday | n | jueves m | jeudi m | Donnerstag m | giovedì m
friday | n | viernes m | vendredi m | Freitag m | venerdì m
saturday | n | sábado m | samedi m | Samstag m | sabato m
sunday | n | domingo m | dimanche m | Sonntag m | domenica f
day | n | día m | jour m | Tag m | giorno m
hour | n | hora f | heure f | Stunde f | ora f
time | n | tiempo m | temps m | Zeit f | tempo m
delivery | n | entrega f | livraison f | Lieferung f | consegna f
experience | n | experiencia f | expérience f | Erfahrung f | esperienza f
quality | n | calidad f | qualité f | Qualität f | qualità f
person | n | persona f | personne f | Person f | persona f
people | n | personas fp | personnes fp | Menschen p | persone fp
information | n | información f | information f | Information f | informazione f
data | n | datos mp | données fp | Daten p | dati mp
user | n | usuario m | utilisateur m | Benutzer m | utente m
device | n | dispositivo m | appareil m | Gerät n | dispositivo m
app | n | aplicación f | application f | App f:Apps | app f
error | n | error m | erreur f | Fehler m | errore m
mistake | n | error m | erreur f | Fehler m | errore m
update | n | actualización f | mise à jour f | Update n:Updates | aggiornamento m
request | n | solicitud f | demande f | Anfrage f | richiesta f
help | n | ayuda f | aide f | Hilfe f | aiuto m
money | n | dinero m | argent m | Geld n:Gelder | denaro m
process | n | proceso m | processus m | Prozess m | processo m
plan | n | plan m | plan m | Plan m:Pläne | piano m
project | n | proyecto m | projet m | Projekt n | progetto m
result | n | resultado m | résultat m | Ergebnis n:Ergebnisse | risultato m
change | n | cambio m | changement m | Änderung f | cambiamento m
increase | n | aumento m | augmentation f | Anstieg m | aumento m
decline | n | descenso m | baisse f | Rückgang m:Rückgänge | calo m
sale | n | venta f | vente f | Verkauf m:Verkäufe | vendita f
contract | n | contrato m | contrat m | Vertrag m:Verträge | contratto m
deal | n | acuerdo m | accord m | Vereinbarung f | accordo m
summary | n | resumen m | résumé m | Zusammenfassung f | riassunto m
environment | n | medio ambiente m | environnement m | Umwelt f | ambiente m
reliance | n | dependencia f | dépendance f | Abhängigkeit f | dipendenza f
powerhouse | n | potencia f | puissance f | Kraftpaket n | potenza f
key | n | clave f | clé f | Schlüssel m | chiave f
intermittency | n | intermitencia f | intermittence f | Unbeständigkeit f | intermittenza f
installation | n | instalación f | installation f | Installation f | installazione f
case | n | caso m | cas m | Fall m:Fälle | caso m
number | n | número m | numéro m | Nummer f:Nummern | numero m
reason | n | motivo m | raison f | Grund m:Gründe | motivo m
way | n | manera f | façon f | Weg m | modo m
work | n | trabajo m | travail m | Arbeit f | lavoro m
city | n | ciudad f | ville f | Stadt f:Städte | città f
investment | n | inversión f | investissement m | Investition f | investimento m
efficiency | n | eficiencia f | efficacité f | Effizienz f | efficienza f
future | n | futuro m | avenir m | Zukunft f | futuro m
plant | n | planta f | centrale f | Anlage f | impianto m
climate | n | clima m | climat m | Klima n:Klimata | clima m
employee | n | empleado m | employé m | Mitarbeiter m | dipendente m
policy | n | política f | politique f | Richtlinie f | politica f
rate | n | tasa f | taux m | Rate f | tasso m
level | n | nivel m | niveau m | Niveau n:Niveaus | livello m
strategy | n | estrategia f | stratégie f | Strategie f | strategia f
industry | n | industria f | industrie f | Industrie f | industria f
region | n | región f | région f | Region f | regione f
production | n | producción f | production f | Produktion f | produzione f
consumption | n | consumo m | consommation f | Verbrauch m | consumo m
carbon | n | carbono m | carbone m | Kohlenstoff m | carbonio m
utility | n | servicio público m | service public m | Versorger m | servizio pubblico m
solar energy | n | energía solar f | énergie solaire f | Solarenergie f | energia solare f
solar power | n | energía solar f | énergie solaire f | Solarstrom m | energia solare f
solar panel | n | panel solar m | panneau solaire m | Solarmodul n | pannello solare m
wind energy | n | energía eólica f | énergie éolienne f | Windenergie f | energia eolica f
wind power | n | energía eólica f | énergie éolienne f | Windkraft f | energia eolica f
wind turbine | n | aerogenerador m | éolienne f | Windturbine f | turbina eolica f
wind farm | n | parque eólico m | parc éolien m | Windpark m:Windparks | parco eolico m
fossil fuel | n | combustible fósil m | combustible fossile m | Fossilbrennstoff m | combustibile fossile m
greenhouse gas | n | gas de efecto invernadero m | gaz à effet de serre m | Treibhausgas n | gas serra m
power grid | n | red eléctrica f | réseau électrique m | Stromnetz n | rete elettrica f
energy storage | n | almacenamiento de energía m | stockage d'énergie m | Energiespeicherung f
    | accumulo di energia m
customer service | n | servicio al cliente m | service client m | Kundenservice m:Kundenservice | servizio clienti m
customer support | n | atención al cliente f | service client m | Kundensupport m:Kundensupport
    | assistenza clienti f
opening hours | n | horario de apertura m | horaires d'ouverture mp | Öffnungszeiten p | orari di apertura mp
credit card | n | tarjeta de crédito f | carte de crédit f | Kreditkarte f | carta di credito f
phone number | n | número de teléfono m | numéro de téléphone m | Telefonnummer f | numero di telefono m
renewable | a | renovable | renouvelable | erneuerbar | rinnovabile
low | a | bajo | bas:basse | niedrig | basso
high | a | alto | élevé | hoch:hoh | alto
good | a | <bueno | <bon:bonne | gut | <buono
bad | a | malo | <mauvais:mauvaise | schlecht | cattivo
new | a | nuevo | <nouveau:nouvelle | neu | <nuovo
large | a | grande | <grand | groß | <grande
big | a | grande | <grand | groß | <grande
small | a | pequeño | <petit | klein | <piccolo
important | a | importante | important | wichtig | importante
main | a | <principal | <principal | wichtigst | <principale
key | a | clave | clé | zentral | chiave
critical | a | crítico | critique | entscheidend | critico
sustainable | a | sostenible | durable | nachhaltig | sostenibile
environmental | a | ambiental | environnemental | ökologisch | ambientale
economic | a | económico | économique | wirtschaftlich | economico
monthly | a | mensual | mensuel:mensuelle | monatlich | mensile
electric | a | eléctrico | électrique | elektrisch | elettrico
electrical | a | eléctrico | électrique | elektrisch | elettrico
kinetic | a | cinético | cinétique | kinetisch | cinetico
global | a | global | mondial | global | globale
consistent | a | constante | constant | gleichmäßig | costante
reliable | a | fiable | fiable | zuverlässig | affidabile
strong | a | fuerte | fort | stark | forte
steady | a | estable | stable | stetig | costante
stable | a | estable | stable | stabil | stabile
effective | a | eficaz | efficace | wirksam | efficace
full | a | pleno | plein | voll | pieno
common | a | común | courant | üblich | comune
affordable | a | asequible | abordable | erschwinglich | accessibile
resilient | a | resiliente | résilient | widerstandsfähig | resiliente
financial | a | financiero | financier:financière | finanziell | finanziario
viable | a | viable | viable | tragfähig | sostenibile
initial | a | inicial | initial | anfänglich | iniziale
excess | a | excedente | excédentaire | überschüssig | in eccesso
clean | a | limpio | propre | sauber | pulito
expensive | a | caro | cher:chère | teuer | costoso
fast | a | rápido | rapide | schnell | veloce
quick | a | rápido | rapide | schnell | veloce
rapid | a | rápido | rapide | schnell | rapido
slow | a | lento | lent | langsam | lento
easy | a | fácil | facile | einfach | facile
difficult | a | difícil | difficile | schwierig | difficile
broken | a | roto | cassé | kaputt | rotto
late | a | retrasado | en retard | verspätet | in ritardo
excellent | a | excelente | excellent | ausgezeichnet | eccellente
helpful | a | útil | utile | hilfreich | utile
terrible | a | terrible | terrible | schrecklich | terribile
happy | a | contento | content | zufrieden | contento
compatible | a | compatible | compatible | kompatibel | compatibile
last | a | <último | <dernier:dernière | letzt | <ultimo
next | a | <próximo | <prochain | nächst | <prossimo
other | a | <otro | <autre | ander | <altro
different | a | diferente | différent | unterschiedlich | diverso
same | a | <mismo | <même | gleich | <stesso
available | a | disponible | disponible | verfügbar | disponibile
possible | a | posible | possible | möglich | possibile
necessary | a | necesario | nécessaire | notwendig | necessario
significant | a | significativo | significatif | erheblich | significativo
general | a | general | général | allgemein | generale
particular | a | particular | particulier:particulière | besonder | particolare
green | a | verde | vert | grün | verde
towering | a | imponente | imposant | hoch aufragend | imponente
numerous | a | <numeroso | <nombreux:nombreuse | zahlreich | <numeroso
photovoltaic | a | fotovoltaico | photovoltaïque | photovoltaisch | fotovoltaico
solar | a | solar | solaire | ~Solar | solare
intermittent | a | intermitente | intermittent | unbeständig | intermittente
plentiful | a | abundante | abondant | reichlich | abbondante
crucial | a | crucial | crucial | entscheidend | cruciale
essential | a | esencial | essentiel:essentielle | wesentlich | essenziale
widespread | a | extendido | répandu | weit verbreitet | diffuso
natural | a | natural | naturel:naturelle | natürlich | naturale
public | a | público | public:publique | öffentlich | pubblico
positive | a | positivo | positif | positiv | positivo
negative | a | negativo | négatif | negativ | negativo
offshore | a | en alta mar | en mer | auf See | in mare
onshore | a | en tierra | à terre | an Land | a terra
large-scale | a | a gran escala | à grande échelle | großtechnisch | su larga scala
long-term | a | a largo plazo | à long terme | langfristig | a lungo termine
lithium-ion | a | de iones de litio | lithium-ion | ~Lithium-Ionen- | agli ioni di litio
very | r | muy | très | sehr | molto
more | r | más | plus | mehr | più
most | r | más | plus | meist | più
too | r | demasiado | trop | zu | troppo
quite | r | bastante | assez | ziemlich | abbastanza
really | r | realmente | vraiment | wirklich | davvero
extremely | r | sumamente | extrêmement | äußerst | estremamente
also | r | también | aussi | auch | anche
only | r | solo | seulement | nur | solo
already | r | ya | déjà | bereits | già
still | r | todavía | encore | noch | ancora
always | r | siempre | toujours | immer | sempre
never | r | nunca | jamais | nie | mai
often | r | a menudo | souvent | oft | spesso
now | r | ahora | maintenant | jetzt | ora
today | r | hoy | aujourd'hui | heute | oggi
here | r | aquí | ici | hier | qui
there | r | allí | là | dort | lì
well | r | bien | bien | gut | bene
again | r | de nuevo | encore | wieder | di nuovo
then | r | luego | ensuite | dann | poi
thereby | r | así | ainsi | dadurch | così
worldwide | r | en todo el mundo | dans le monde entier | weltweit | in tutto il mondo
finally | r | finalmente | enfin | schließlich | infine
additionally | r | además | de plus | zusätzlich | inoltre
currently | r | actualmente | actuellement | derzeit | attualmente
recently | r | recientemente | récemment | kürzlich | recentemente
unfortunately | r | lamentablemente | malheureusement | leider | purtroppo
usually | r | normalmente | habituellement | normalerweise | di solito
particularly | r | especialmente | particulièrement | besonders | particolarmente
especially | r | especialmente | surtout | besonders | soprattutto
back | r | de vuelta | en retour | zurück | indietro
however | r | sin embargo | cependant | jedoch | tuttavia
minute | n | minuto m | minute f | Minute f | minuto m
phone | n | teléfono m | téléphone m | Telefon n | telefono m
shop | n | tienda f | magasin m | Geschäft n | negozio m
staff | n | personal m | personnel m | Personal n | personale m
fee | n | tarifa f | frais mp | Gebühr f | tariffa f
board | n | consejo m | conseil m | Vorstand m | consiglio m
address | n | dirección f | adresse f | Adresse f | indirizzo m
branch | n | sucursal f | agence f | Filiale f | filiale f
member | n | miembro m | membre m | Mitglied n | membro m
delay | n | retraso m | retard m | Verzögerung f | ritardo m
repair | n | reparación f | réparation f | Reparatur f | riparazione f
amount | n | importe m | montant m | Betrag m | importo m
office | n | oficina f | bureau m:bureaux | Büro n | ufficio m
site | n | sitio m | site m | Standort m | sito m
manager | n | gerente m | responsable m | Manager m | responsabile m
temperature | n | temperatura f | température f | Temperatur f | temperatura f
morning | n | mañana f | matin m | Morgen m | mattina f
evening | n | tarde f | soir m | Abend m | sera f
website | n | sitio web m:sitios web | site web m:sites web | Website f | sito web m:siti web
screen | n | pantalla f | écran m | Bildschirm m | schermo m
card | n | tarjeta f | carte f | Karte f | carta f
date | n | fecha f | date f | Datum n:Daten | data f
training | n | formación f | formation f | Schulung f | formazione f
station | n | estación f | gare f | Bahnhof m:Bahnhöfe | stazione f
winter | n | invierno m | hiver m | Winter m | inverno m
summer | n | verano m | été m | Sommer m | estate f
food | n | comida f | nourriture f | Essen n | cibo m
place | n | lugar m | endroit m | Ort m | luogo m:luoghi
step | n | paso m | étape f | Schritt m | passo m
page | n | página f | page f | Seite f | pagina f
size | n | tamaño m | taille f | Größe f | dimensione f
warehouse | n | almacén m | entrepôt m | Lager n | magazzino m
factory | n | fábrica f | usine f | Fabrik f | fabbrica f
degree | n | grado m | degré m | Grad m | grado m
kilometre | n | kilómetro m | kilomètre m | Kilometer m | chilometro m
free | a | gratuito | gratuit | kostenlos | gratuito
dry | a | seco | sec:sèche | trocken | secco
hot | a | caliente | chaud | heiß | caldo
cold | a | frío | froid | kalt | freddo
wrong | a | incorrecto | incorrect | falsch | sbagliato
internal | a | interno | interne | intern | interno
soft | a | suave | doux:douce | weich | morbido
just | r | solo | juste | nur | solo
once | r | una vez | une fois | einmal | una volta
twice | r | dos veces | deux fois | zweimal | due volte
nearly | r | casi | presque | fast | quasi
rarely | r | rara vez | rarement | selten | raramente
under | x | bajo | sous | unter | sotto
within | x | dentro de | dans | innerhalb von | entro
near | x | cerca de | près de | in der Nähe von | vicino a
nothing | x | nada | rien | nichts | niente
everything | x | todo | tout | alles | tutto
open | v | abrir;;abierto | ouvrir;ouvre,ouvre,ouvrons,ouvrez,ouvrent;ouvert | öffnen | aprire;;aperto
close | v | cerrar;cierro,cierra,cerramos,cerráis,cierran | fermer
    | schließen;schließe,schließt,schließen,schließt,schließen;geschlossen;schloss,schlossen | chiudere;;chiuso
take | v | tomar | prendre;prends,prend,prenons,prenez,prennent;pris
    | nehmen;nehme,nimmt,nehmen,nehmt,nehmen;genommen;nahm,nahmen | prendere;;preso
come | v | venir;vengo,viene,venimos,venís,vienen;venido;vino,vinieron
    | venir;viens,vient,venons,venez,viennent;venu;est venu,sont venus
    | kommen;komme,kommt,kommen,kommt,kommen;gekommen;kam,kamen
    | venire;vengo,viene,veniamo,venite,vengono;venuto;è venuto,sono venuti
bring | v | traer;traigo,trae,traemos,traéis,traen;traído;trajo,trajeron | apporter
    | bringen;;gebracht;brachte,brachten | portare
call | v | llamar | appeler;appelle,appelle,appelons,appelez,appellent
    | anrufen;rufe an,ruft an,rufen an,ruft an,rufen an;angerufen;rief an,riefen an | chiamare
remove | v | quitar | retirer | entfernen;;entfernt | rimuovere;;rimosso
ask | v | preguntar | demander | fragen | chiedere;;chiesto
show | v | mostrar;muestro,muestra,mostramos,mostráis,muestran | montrer | zeigen | mostrare
wait | v | esperar | attendre;;attendu | warten | aspettare
press | v | pulsar | appuyer sur | drücken | premere
choose | v | elegir;elijo,elige,elegimos,elegís,eligen | choisir | wählen
    | scegliere;scelgo,sceglie,scegliamo,scegliete,scelgono;scelto
one | d | un/una/unos/unas | un/une/des/des | ein/eine/ein/- | un/una/dei/delle
two | x | dos | deux | zwei | due
three | x | tres | trois | drei | tre
four | x | cuatro | quatre | vier | quattro
five | x | cinco | cinq | fünf | cinque
six | x | seis | six | sechs | sei
seven | x | siete | sept | sieben | sette
eight | x | ocho | huit | acht | otto
nine | x | nueve | neuf | neun | nove
ten | x | diez | dix | zehn | dieci
twelve | x | doce | douze | zwölf | dodici
twenty | x | veinte | vingt | zwanzig | venti
thirty | x | treinta | trente | dreißig | trenta
hundred | x | cien | cent | hundert | cento
thousand | x | mil | mille | tausend | mille
million | x | millón | million | Million | milione
line | n | línea f | ligne f | Zeile f | riga f
and | x | y | et | und | e
or | x | o | ou | oder | o
but | x | pero | mais | aber | ma
of | x | de | de | von | di
in | x | en | dans | in | in
on | x | en | sur | auf | su
at | x | en | à | bei | a
to | x | a | à | zu | a
for | x | para | pour | für | per
with | x | con | avec | mit | con
without | x | sin | sans | ohne | senza
from | x | de | de | von | da
by | x | por | par | durch | da
about | x | sobre | sur | über | su
into | x | en | en | in | in
through | x | a través de | par | durch | attraverso
between | x | entre | entre | zwischen | tra
during | x | durante | pendant | während | durante
after | x | después de | après | nach | dopo
before | x | antes de | avant | vor | prima di
towards | x | hacia | vers | hin zu | verso
than | x | que | que | als | di
as | x | como | comme | als | come
like | x | como | comme | wie | come
because | x | porque | parce que | weil | perché
if | x | si | si | wenn | se
when | x | cuando | quand | wenn | quando
while | x | mientras | tandis que | während | mentre
although | x | aunque | bien que | obwohl | sebbene
since | x | ya que | puisque | da | poiché
so | x | así que | donc | also | quindi
what | x | qué | que | was | cosa
how | x | cómo | comment | wie | come
why | x | por qué | pourquoi | warum | perché
where | x | dónde | où | wo | dove
no | x | no | non | nein | no
yes | x | sí | oui | ja | sì
please | x | por favor | s'il vous plaît | bitte | per favore
hello | x | hola | bonjour | hallo | ciao
hi | x | hola | bonjour | hallo | ciao
thanks | x | gracias | merci | danke | grazie
sorry | x | lo siento | désolé | Entschuldigung | mi dispiace
even | x | incluso | même | sogar | persino
thank you | x | gracias | merci | danke | grazie
such as | x | como | comme | wie | come
for example | x | por ejemplo | par exemple | zum Beispiel | per esempio
due to | x | debido a | en raison de | aufgrund | a causa di
because of | x | debido a | à cause de | wegen | a causa di
in order to | x | para | pour | um | per
as well as | x | así como | ainsi que | sowie | così come
in addition | x | además | en outre | zusätzlich | inoltre
at least | x | al menos | au moins | mindestens | almeno
of course | x | por supuesto | bien sûr | natürlich | certo
there is | x | hay | il y a | es gibt | c'è
there are | x | hay | il y a | es gibt | ci sono
"""

# Irregular English forms -> (lemma, form); form "ed" is a past tense or participle, decided by context.
EN_IRREGULAR: dict[str, tuple[str, str]] = {
    "is": ("be", "3s"),
    "are": ("be", "are"),
    "am": ("be", "1s"),
    "was": ("be", "past"),
    "were": ("be", "past"),
    "been": ("be", "part"),
    "being": ("be", "ger"),
    "has": ("have", "3s"),
    "had": ("have", "ed"),
    "does": ("do", "3s"),
    "did": ("do", "past"),
    "done": ("do", "part"),
    "made": ("make", "ed"),
    "bought": ("buy", "ed"),
    "sold": ("sell", "ed"),
    "got": ("get", "ed"),
    "gotten": ("get", "part"),
    "gave": ("give", "past"),
    "given": ("give", "part"),
    "sent": ("send", "ed"),
    "said": ("say", "ed"),
    "paid": ("pay", "ed"),
    "kept": ("keep", "ed"),
    "found": ("find", "ed"),
    "knew": ("know", "past"),
    "known": ("know", "part"),
    "saw": ("see", "past"),
    "seen": ("see", "part"),
    "grew": ("grow", "past"),
    "grown": ("grow", "part"),
    "became": ("become", "past"),
    "went": ("go", "past"),
    "gone": ("go", "part"),
    "thought": ("think", "ed"),
    "wrote": ("write", "past"),
    "written": ("write", "part"),
    "took": ("take", "past"),
    "taken": ("take", "part"),
    "came": ("come", "past"),
    "brought": ("bring", "ed"),
    "chose": ("choose", "past"),
    "chosen": ("choose", "part"),
}
